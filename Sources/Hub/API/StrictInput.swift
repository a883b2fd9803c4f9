import Foundation
import PersonioAPI
import Vapor

/// A request body whose every key must be known: an unknown or unsupported field is a 422 naming
/// it, never silently ignored (a `mapping` sent to an API that cannot change mappings yet must not
/// answer 200).
protocol StrictInput: Decodable {
    /// The keys the body may have; a nested object's as `parent.key`.
    static var fields: Set<String> { get }
}

extension StrictInput {
    /// The fields a type's coding keys name (`dryRun` is `dry_run`), under `prefix`.
    static func fieldNames<Key: CodingKey & CaseIterable>(_ keys: Key.Type, in prefix: String = "") -> Set<String> {
        Set(keys.allCases.map { prefix + HubJSON.fieldName($0.stringValue) })
    }
}

extension Request {
    /// Decodes a JSON body after checking that it has no key `T` does not know.
    func strictContent<T: StrictInput>(_ type: T.Type) throws -> T {
        if let buffer = body.data, buffer.readableBytes > 0, headers.contentType?.subType.hasSuffix("json") ?? false,
           let value = try? JSONValue.parse(Data(buffer.readableBytesView)), case .object(let members) = value {
            try Self.check(members, allowed: T.fields, path: "")
        }
        return try content.decode(T.self, using: HubJSON.decoder)
    }

    /// For an action that takes no body: a body with fields is a 422 naming the first, never ignored.
    func noBody() throws {
        guard let buffer = body.data, buffer.readableBytes > 0, headers.contentType?.subType.hasSuffix("json") ?? false,
              let value = try? JSONValue.parse(Data(buffer.readableBytesView)), case .object(let members) = value,
              let first = members.keys.sorted().first else { return }
        throw APIError.invalid(first, "\(first.excerptForError) is not a field this request takes; it takes no body")
    }

    private static func check(_ members: [String: JSONValue], allowed: Set<String>, path: String) throws(APIError) {
        for key in members.keys.sorted() {
            let field = path + key
            guard allowed.contains(field) else {
                let known = allowed.filter { $0.hasPrefix(path) && !$0.dropFirst(path.count).contains(".") }.sorted()
                throw APIError.invalid(field, "\(field.excerptForError) is not a field this request takes; it takes "
                                       + known.map { String($0.dropFirst(path.count)) }.joined(separator: ", "))
            }
            if case .object(let nested)? = members[key], allowed.contains(where: { $0.hasPrefix(field + ".") }) {
                try check(nested, allowed: allowed, path: field + ".")
            }
        }
    }
}

private extension String {
    /// A key as sent, shown short (a key may be anything).
    var excerptForError: String { count > 60 ? String(prefix(60)) + "…" : self }
}

// MARK: The API's bodies

extension SourceInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension SourceSettingsInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension ConnectionInput: StrictInput {
    static var fields: Set<String> {
        fieldNames(CodingKeys.self).union(fieldNames(SCIMInput.CodingKeys.self, in: "scim."))
            .union(fieldNames(CompatibilityInput.CodingKeys.self, in: "scim.compatibility."))
    }
}

extension ManagementRoutes.PreviewInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension ManagementRoutes.ScopeCountInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension ManagementRoutes.AcceptInput: StrictInput {
    static var fields: Set<String> { ["attributes"] }
}

extension HandoffService.Request: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension WebhookRoutes.EndpointInput: StrictInput {
    static var fields: Set<String> { ["url", "events"] }
}

extension ApprovalService.Decision: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension AbsenceRoutes.KindsInput: StrictInput {
    static var fields: Set<String> { ["kinds"] }
}

extension AbsenceService.Input: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension WorkspaceRoutes.WorkspaceInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension WorkspaceRoutes.TokenInput: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}

extension API.RunRequest: StrictInput {
    static var fields: Set<String> { fieldNames(CodingKeys.self) }
}
