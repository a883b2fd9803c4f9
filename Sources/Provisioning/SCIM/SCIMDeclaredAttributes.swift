import Foundation

/// The User attributes an app declares in `/Schemas` (RFC 7643 §7), as paths: `userName`,
/// `name.givenName`, `emails.value`, and the enterprise extension's as `<urn>:department`,
/// `<urn>:manager.value`. Read-only ones are left out: sending them is refused by strict apps.
/// A resource is cut down to these before it is sent, so an app that declares only
/// `emails.value` never sees `emails.type`.
public struct SCIMDeclaredAttributes: Sendable, Hashable, Codable {
    public var paths: Set<String>
    /// Paths the app declares read-only (noticed, never sent).
    public var readOnly: Set<String>

    public init(paths: Set<String>, readOnly: Set<String> = []) {
        self.paths = paths
        self.readOnly = readOnly
    }

    /// Reads a `/Schemas` ListResponse (or a bare array of schemas); nil when it holds no User schema.
    public init?(schemas body: some Sequence<UInt8>) {
        guard let schemas = try? JSONDecoder().decode(SCIMListResponse<SCIMSchema>.self, from: Data(body)).resources else { return nil }
        var paths: Set<String> = []
        var readOnly: Set<String> = []
        var sawUser = false
        for schema in schemas where [SCIMTarget.userSchema, SCIMTarget.enterpriseSchema].contains(schema.id) {
            sawUser = sawUser || schema.id == SCIMTarget.userSchema
            let prefix = schema.id == SCIMTarget.userSchema ? "" : schema.id + ":"
            if !prefix.isEmpty { paths.insert(schema.id) }
            for attribute in schema.attributes {
                let path = prefix + attribute.name
                if attribute.isReadOnly { readOnly.insert(path); continue }
                paths.insert(path)
                for sub in attribute.subAttributes {
                    if sub.isReadOnly { readOnly.insert("\(path).\(sub.name)"); continue }
                    paths.insert("\(path).\(sub.name)")
                }
            }
        }
        guard sawUser else { return nil }
        self.init(paths: paths, readOnly: readOnly)
    }

    /// `user` with only what the app declares (`schemas` and `externalId`, common to every resource,
    /// stay); and the paths left out, for the connection to show.
    public func prune(_ user: SCIMUser) -> (user: SCIMUser, omitted: [String]) {
        var pruning = Pruning(declared: self, user: user)
        pruning.attribute(\.userName, "userName")
        pruning.attribute(\.active, "active")
        pruning.attribute(\.displayName, "displayName")
        pruning.attribute(\.title, "title")
        pruning.complex(\.name, "name", [(\.givenName, "givenName"), (\.familyName, "familyName"), (\.formatted, "formatted")])
        let multiValued: [(WritableKeyPath<SCIMUser.MultiValued, String?>, String)] = [(\.value, "value"), (\.type, "type")]
        pruning.multiValued(\.emails, "emails", multiValued)
        pruning.multiValued(\.phoneNumbers, "phoneNumbers", multiValued)
        pruning.enterprise()
        if pruning.user.enterprise == nil {
            pruning.user.schemas = pruning.user.schemas?.filter { $0 != SCIMTarget.enterpriseSchema }
        }
        return (pruning.user, pruning.omitted.sorted())
    }

    /// One user being cut down to the declared paths.
    private struct Pruning {
        let declared: SCIMDeclaredAttributes
        var user: SCIMUser
        var omitted: [String] = []

        /// Whether an attribute is declared with sub-attributes (one declared without keeps what it has).
        func hasSubAttributes(_ path: String) -> Bool { declared.paths.contains { $0.hasPrefix(path + ".") } }

        mutating func attribute<Value>(_ keyPath: WritableKeyPath<SCIMUser, Value?>, _ path: String) {
            guard user[keyPath: keyPath] != nil, !declared.paths.contains(path) else { return }
            user[keyPath: keyPath] = nil
            omitted.append(path)
        }

        /// A complex attribute: its undeclared sub-attributes go; with none left, it goes.
        mutating func complex<Value>(_ keyPath: WritableKeyPath<SCIMUser, Value?>, _ path: String,
                                     _ members: [(WritableKeyPath<Value, String?>, String)]) {
            guard var value = user[keyPath: keyPath] else { return }
            guard declared.paths.contains(path) else { return drop(keyPath, path) }
            let (kept, dropped) = subAttributes(&value, of: path, members)
            omitted += dropped
            user[keyPath: keyPath] = kept ? value : nil
        }

        /// A multi-valued attribute: each value cut down alike; values left empty go.
        mutating func multiValued(_ keyPath: WritableKeyPath<SCIMUser, [SCIMUser.MultiValued]?>, _ path: String,
                                  _ members: [(WritableKeyPath<SCIMUser.MultiValued, String?>, String)]) {
            guard let values = user[keyPath: keyPath] else { return }
            guard declared.paths.contains(path) else { return drop(keyPath, path) }
            var dropped: Set<String> = []
            let kept = values.compactMap { element -> SCIMUser.MultiValued? in
                var element = element
                var (keeps, left) = subAttributes(&element, of: path, members)
                if element.primary != nil, hasSubAttributes(path), !declared.paths.contains(path + ".primary") {
                    element.primary = nil
                    left.append(path + ".primary")
                }
                keeps = keeps || element.primary != nil
                dropped.formUnion(left)
                return keeps ? element : nil
            }
            omitted += dropped.sorted()
            user[keyPath: keyPath] = kept.isEmpty ? nil : kept
        }

        /// The enterprise extension: kept when declared, with its declared members.
        mutating func enterprise() {
            let urn = SCIMTarget.enterpriseSchema
            guard var enterprise = user.enterprise else { return }
            guard declared.paths.contains(urn) else { return drop(\.enterprise, urn) }
            for (keyPath, name) in [(\SCIMUser.Enterprise.employeeNumber, "employeeNumber"), (\.department, "department"),
                                    (\.organization, "organization")] where enterprise[keyPath: keyPath] != nil {
                if !declared.paths.contains("\(urn):\(name)") {
                    enterprise[keyPath: keyPath] = nil
                    omitted.append("\(urn):\(name)")
                }
            }
            if var manager = enterprise.manager {
                let path = "\(urn):manager"
                if declared.paths.contains(path) {
                    let (kept, dropped) = subAttributes(&manager, of: path, [(\.value, "value")])
                    omitted += dropped
                    enterprise.manager = kept ? manager : nil
                } else {
                    enterprise.manager = nil
                    omitted.append(path)
                }
            }
            let empty = enterprise.employeeNumber == nil && enterprise.department == nil && enterprise.organization == nil
                && enterprise.manager == nil
            user.enterprise = empty ? nil : enterprise
        }

        private mutating func drop<Value>(_ keyPath: WritableKeyPath<SCIMUser, Value?>, _ path: String) {
            user[keyPath: keyPath] = nil
            omitted.append(path)
        }

        /// Clears the undeclared `members` of `value`; whether any member is left, and the paths cleared.
        private func subAttributes<Value>(_ value: inout Value, of path: String,
                                          _ members: [(WritableKeyPath<Value, String?>, String)]) -> (Bool, [String]) {
            var dropped: [String] = []
            if hasSubAttributes(path) {
                for (keyPath, name) in members where value[keyPath: keyPath] != nil && !declared.paths.contains("\(path).\(name)") {
                    value[keyPath: keyPath] = nil
                    dropped.append("\(path).\(name)")
                }
            }
            return (members.contains { value[keyPath: $0.0] != nil }, dropped)
        }
    }
}
