/// A Personio API credential as the sandbox knows it: client id and secret, which employee
/// attributes it may read (others are omitted silently everywhere) and what it may do.
public struct SandboxCredential: Codable, Sendable, Equatable {
    public var clientId: String
    public var clientSecret: String
    public var name: String
    /// Readable employee attribute keys; `nil` means every attribute. `id` is always readable.
    public var readableAttributes: Set<String>?
    public var permissions: Set<Permission>

    public enum Permission: String, Codable, Sendable, CaseIterable, Comparable {
        case employeesRead = "employees:read"
        case employeesWrite = "employees:write"
        case absencesRead = "absences:read"
        case absencesWrite = "absences:write"

        public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public init(
        clientId: String, clientSecret: String, name: String,
        readableAttributes: Set<String>? = nil, permissions: Set<Permission> = Set(Permission.allCases)
    ) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.name = name
        self.readableAttributes = readableAttributes
        self.permissions = permissions
    }

    func mayRead(_ key: String) -> Bool {
        key == "id" || readableAttributes?.contains(key) ?? true
    }

    /// The `scope` text of the auth response, e.g. `employees:read absences:read`.
    var scope: String { permissions.sorted().map(\.rawValue).joined(separator: " ") }
}
