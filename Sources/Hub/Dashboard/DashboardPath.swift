import Foundation

/// Every dashboard address, in one place: routes, links, forms and tests use these.
enum DashboardPath {
    static let home = "/"
    static let signIn = "/sign-in"
    static let signOut = "/sign-out"
    static let stylesheet = "/dashboard.css"
    static let connections = "/connections"
    static let newConnection = "/connections/new"
    static let sources = "/sources"
    static let newSource = "/sources/new"
    static let audit = "/audit"
    static let users = "/users"
    static let handoffs = "/handoffs"
    static let newHandoff = "/handoffs/new"
    static let absences = "/absences"

    static func source(_ id: UUID) -> String { "/sources/\(id)" }
    static func absenceKinds(_ id: UUID) -> String { "/sources/\(id)/absence-kinds" }
    static func sourceCredentials(_ id: UUID) -> String { "/sources/\(id)/credentials" }
    static func sourceSettings(_ id: UUID) -> String { "/sources/\(id)/settings" }
    static func connection(_ id: UUID) -> String { "/connections/\(id)" }
    static func connectionSettings(_ id: UUID) -> String { "/connections/\(id)/settings" }
    static func connectionMapping(_ id: UUID) -> String { "/connections/\(id)/mapping" }
    static func connectionMappingPreview(_ id: UUID) -> String { "/connections/\(id)/mapping/preview" }
    static func connectionScope(_ id: UUID) -> String { "/connections/\(id)/scope" }
    static func connectionScopeCount(_ id: UUID) -> String { "/connections/\(id)/scope/count" }
    static func connectionAction(_ id: UUID, _ action: ConnectionAction) -> String { "/connections/\(id)/\(action.rawValue)" }
    static func importPeople(_ id: UUID) -> String { "/connections/\(id)/import" }
    static func run(_ id: UUID) -> String { "/runs/\(id)" }
    static func held(_ id: UUID, _ decision: String) -> String { "/held/\(id)/\(decision)" }
    static func person(_ personioID: Int) -> String { "/people/\(personioID)" }
    static func invite(_ token: String) -> String { "/invite/\(token)" }
    static func handoff(_ candidate: String) -> String {
        "/handoffs/\(candidate.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? candidate)"
    }

    enum ConnectionAction: String, CaseIterable {
        case sync, preview, pause, resume, delete
        /// Accept that Personio no longer shares the attributes it withholds.
        case acceptWithheld = "accept-withheld"
    }
}
