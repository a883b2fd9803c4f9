/// A scope of Personio's v2 API. The sandbox derives a credential's v2 scopes from its v1
/// permissions (the same tick boxes in Personio's credential settings), so one credential serves
/// both APIs with the same rights. Webhooks come with reading employees: a subscription tells only
/// that something changed, and the receiver reads it with the same rights.
enum V2Scope: String, CaseIterable, Sendable, Comparable {
    case personsRead = "personio:persons:read"
    case personsWrite = "personio:persons:write"
    case employmentsRead = "personio:employments:read"
    case employmentsWrite = "personio:employments:write"
    case absencesRead = "personio:absences:read"
    case absencesWrite = "personio:absences:write"
    case webhooksRead = "personio:webhooks:read"
    case webhooksWrite = "personio:webhooks:write"

    static func < (lhs: V2Scope, rhs: V2Scope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The v1 permission that grants this scope.
    var permission: SandboxCredential.Permission {
        switch self {
        case .personsRead, .employmentsRead, .webhooksRead, .webhooksWrite: .employeesRead
        case .personsWrite, .employmentsWrite: .employeesWrite
        case .absencesRead: .absencesRead
        case .absencesWrite: .absencesWrite
        }
    }
}

extension SandboxCredential {
    /// The v2 scopes this credential holds.
    var v2Scopes: Set<V2Scope> { Set(V2Scope.allCases.filter { permissions.contains($0.permission) }) }

    /// Every scope a v2 token of this credential may carry: its v1 permissions and v2 scopes.
    var allScopeNames: [String] { permissions.sorted().map(\.rawValue) + v2Scopes.sorted().map(\.rawValue) }
}
