import Foundation
import Vapor

/// Every dashboard address, in one place: routes are registered with these (a path made without
/// values is its route's pattern, `/connections/:connection`), and links, forms and tests use them.
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

    static let invitations = "/users/invite"
    static let operatorHealth = "/operator"

    static func source(_ id: UUID? = nil) -> String { "/sources/\(value(id, .source))" }
    static func absenceKinds(_ id: UUID? = nil) -> String { source(id) + "/absence-kinds" }
    static func sourceCredentials(_ id: UUID? = nil) -> String { source(id) + "/credentials" }
    static func sourceSettings(_ id: UUID? = nil) -> String { source(id) + "/settings" }
    static func sourceDelete(_ id: UUID? = nil) -> String { source(id) + "/delete" }
    static func connection(_ id: UUID? = nil) -> String { "/connections/\(value(id, .connection))" }
    static func connectionSettings(_ id: UUID? = nil) -> String { connection(id) + "/settings" }
    static func connectionMapping(_ id: UUID? = nil) -> String { connection(id) + "/mapping" }
    static func connectionMappingPreview(_ id: UUID? = nil) -> String { connection(id) + "/mapping/preview" }
    static func connectionScope(_ id: UUID? = nil) -> String { connection(id) + "/scope" }
    static func connectionScopeCount(_ id: UUID? = nil) -> String { connection(id) + "/scope/count" }
    static func connectionAction(_ id: UUID? = nil, _ action: ConnectionAction) -> String { connection(id) + "/\(action.rawValue)" }
    static func importPeople(_ id: UUID? = nil) -> String { connection(id) + "/import" }
    static func run(_ id: UUID? = nil) -> String { "/runs/\(value(id, .run))" }
    static func held(_ id: UUID? = nil, _ decision: String? = nil) -> String { "/held/\(value(id, .batch))/\(value(decision, .decision))" }
    static func person(_ personioID: Int? = nil) -> String { "/people/\(value(personioID, .person))" }
    static func invite(_ token: String? = nil) -> String { "/invite/\(value(token, .token))" }
    static func handoff(_ candidate: String? = nil) -> String {
        "/handoffs/\(value(candidate.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? $0 }, .candidate))"
    }

    /// The value, or where the route takes it (`:connection`) when building the route's pattern.
    private static func value(_ value: (any CustomStringConvertible)?, _ parameter: RouteParameter) -> String {
        value.map { "\($0)" } ?? ":" + parameter.rawValue
    }

    enum ConnectionAction: String, CaseIterable {
        case sync, preview, pause, resume, delete
        /// Accept that Personio no longer shares the attributes it withholds.
        case acceptWithheld = "accept-withheld"
    }
}

extension RoutesBuilder {
    /// Registers a page's route at `DashboardPath` pattern `path`.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(_ method: HTTPMethod, page path: String, body: HTTPBodyStreamStrategy = .collect,
                                              use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(method, path.pathComponents, body: body, use: closure)
    }
}
