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
    public init?(schemas json: Any) {
        let resources = (json as? [String: Any])?["Resources"] as? [[String: Any]] ?? json as? [[String: Any]] ?? []
        var paths: Set<String> = []
        var readOnly: Set<String> = []
        var sawUser = false
        for schema in resources {
            guard let id = schema["id"] as? String, [SCIMTarget.userSchema, SCIMTarget.enterpriseSchema].contains(id) else { continue }
            sawUser = sawUser || id == SCIMTarget.userSchema
            let prefix = id == SCIMTarget.userSchema ? "" : id + ":"
            if !prefix.isEmpty { paths.insert(id) }
            for attribute in schema["attributes"] as? [[String: Any]] ?? [] {
                guard let name = attribute["name"] as? String else { continue }
                let path = prefix + name
                if (attribute["mutability"] as? String)?.lowercased() == "readonly" { readOnly.insert(path); continue }
                paths.insert(path)
                for sub in attribute["subAttributes"] as? [[String: Any]] ?? [] {
                    guard let subName = sub["name"] as? String else { continue }
                    if (sub["mutability"] as? String)?.lowercased() == "readonly" { readOnly.insert("\(path).\(subName)"); continue }
                    paths.insert("\(path).\(subName)")
                }
            }
        }
        guard sawUser else { return nil }
        self.init(paths: paths, readOnly: readOnly)
    }

    /// `user` with only what the app declares (`schemas` and `externalId`, common to every resource,
    /// stay); and the paths left out, for the connection to show.
    public func prune(_ user: [String: Any]) -> (user: [String: Any], omitted: [String]) {
        var kept: [String: Any] = [:]
        var omitted: [String] = []
        for (key, value) in user {
            if key == "schemas" || key == "externalId" { kept[key] = value; continue }
            if key == SCIMTarget.enterpriseSchema {
                guard paths.contains(key), let members = value as? [String: Any] else { omitted.append(key); continue }
                let (inner, dropped) = prune(members, prefix: key + ":")
                if !inner.isEmpty { kept[key] = inner }
                omitted += dropped
                continue
            }
            let (inner, dropped) = prune([key: value], prefix: "")
            kept.merge(inner) { $1 }
            omitted += dropped
        }
        if kept[SCIMTarget.enterpriseSchema] == nil, let schemas = kept["schemas"] as? [String] {
            kept["schemas"] = schemas.filter { $0 != SCIMTarget.enterpriseSchema }
        }
        return (kept, omitted.sorted())
    }

    private func prune(_ members: [String: Any], prefix: String) -> ([String: Any], [String]) {
        var kept: [String: Any] = [:]
        var omitted: [String] = []
        for (name, value) in members {
            let path = prefix + name
            guard paths.contains(path) else { omitted.append(path); continue }
            switch value {
            case let complex as [String: Any]:
                let (inner, dropped) = subAttributes(complex, of: path)
                omitted += dropped
                if !inner.isEmpty { kept[name] = inner }
            case let values as [[String: Any]]:
                var dropped: Set<String> = []
                let inner = values.map { element -> [String: Any] in
                    let (kept, left) = subAttributes(element, of: path)
                    dropped.formUnion(left)
                    return kept
                }.filter { !$0.isEmpty }
                omitted += dropped.sorted()
                if !inner.isEmpty { kept[name] = inner }
            default:
                kept[name] = value
            }
        }
        return (kept, omitted)
    }

    private func subAttributes(_ value: [String: Any], of path: String) -> ([String: Any], [String]) {
        // an attribute declared without sub-attributes keeps what it has
        guard paths.contains(where: { $0.hasPrefix(path + ".") }) else { return (value, []) }
        var kept: [String: Any] = [:]
        var omitted: [String] = []
        for (name, item) in value {
            if paths.contains("\(path).\(name)") { kept[name] = item } else { omitted.append("\(path).\(name)") }
        }
        return (kept, omitted)
    }
}
