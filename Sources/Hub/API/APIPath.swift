import Foundation
import Vapor

/// Every API address, in one place: the routes are registered with these, and links, the benchmark
/// and the tests build addresses with them. Made without values, a path is its route's pattern
/// (`/api/v1/connections/:connection/runs`); with values, an address (`/api/v1/connections/6F…/runs`).
public struct APIPath: CustomStringConvertible, Sendable {
    private enum Segment: Sendable {
        case fixed(String)
        case parameter(RouteParameter, String?)
    }

    private let segments: [Segment]

    private init(segments: [Segment]) {
        self.segments = [.fixed("api"), .fixed("v1")] + segments
    }

    private init(_ segments: Segment...) {
        self.init(segments: segments)
    }

    /// The route's pattern, as Vapor registers it.
    var components: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .fixed(let text): .constant(text)
            case .parameter(let parameter, _): .parameter(parameter.rawValue)
            }
        }
    }

    /// The address (values percent-encoded); a value not given stands as its `:parameter`.
    public var description: String {
        "/" + segments.map { segment in
            switch segment {
            case .fixed(let text): text
            case .parameter(let parameter, let value?): value.addingPercentEncoding(withAllowedCharacters: Self.allowed) ?? parameter.rawValue
            case .parameter(let parameter, nil): ":" + parameter.rawValue
            }
        }.joined(separator: "/")
    }

    private static let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))

    private static func value(_ parameter: RouteParameter, _ value: (any CustomStringConvertible)?) -> Segment {
        .parameter(parameter, value.map { String(describing: $0) })
    }
}

// MARK: The addresses

public extension APIPath {
    // The operator's (admin token)
    static var workspaces: APIPath { APIPath(.fixed("workspaces")) }
    static func workspace(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("workspaces"), value(.workspace, id)) }
    static func workspaceTokens(_ id: (any CustomStringConvertible)? = nil) -> APIPath {
        APIPath(.fixed("workspaces"), value(.workspace, id), .fixed("tokens"))
    }
    static var hubHealth: APIPath { APIPath(.fixed("hub"), .fixed("health")) }

    // A workspace's (its API token)
    static var ownWorkspace: APIPath { APIPath(.fixed("workspace")) }

    static var sources: APIPath { APIPath(.fixed("sources")) }
    static func source(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("sources"), value(.source, id)) }
    static func sourceCredentials(_ id: (any CustomStringConvertible)? = nil) -> APIPath { source(id, "credentials") }
    static func sourceTimeOffTypes(_ id: (any CustomStringConvertible)? = nil) -> APIPath { source(id, "time-off-types") }
    static func sourceAbsenceKinds(_ id: (any CustomStringConvertible)? = nil) -> APIPath { source(id, "absence-kinds") }

    static var connections: APIPath { APIPath(.fixed("connections")) }
    static func connection(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("connections"), value(.connection, id)) }
    static func connectionRuns(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "runs") }
    static func connectionPeople(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "people") }
    static func connectionPerson(_ id: (any CustomStringConvertible)? = nil, _ personioID: (any CustomStringConvertible)? = nil) -> APIPath {
        APIPath(.fixed("connections"), value(.connection, id), .fixed("people"), value(.person, personioID))
    }
    static func connectionWithheldAccept(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "withheld-attributes", "accept") }
    static func connectionMappingPreview(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "mapping", "preview") }
    static func connectionScopeCount(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "scope", "count") }
    static func connectionHeld(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "held") }
    static func connectionWebhooks(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "webhooks") }
    static func connectionDrafts(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "drafts") }
    static func connectionApprovals(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "approvals") }
    static func connectionRejections(_ id: (any CustomStringConvertible)? = nil) -> APIPath { connection(id, "rejections") }

    static func run(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("runs"), value(.run, id)) }

    static func heldRelease(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("held"), value(.batch, id), .fixed("release")) }
    static func heldDiscard(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("held"), value(.batch, id), .fixed("discard")) }

    static func webhook(_ id: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("webhooks"), value(.webhook, id)) }
    static func webhookRotate(_ id: (any CustomStringConvertible)? = nil) -> APIPath {
        APIPath(.fixed("webhooks"), value(.webhook, id), .fixed("rotate"))
    }
    static func webhookDeliveries(_ id: (any CustomStringConvertible)? = nil) -> APIPath {
        APIPath(.fixed("webhooks"), value(.webhook, id), .fixed("deliveries"))
    }
    static func deliveryResend(_ sequence: (any CustomStringConvertible)? = nil) -> APIPath {
        APIPath(.fixed("deliveries"), value(.delivery, sequence), .fixed("resend"))
    }

    static var handoffs: APIPath { APIPath(.fixed("handoffs")) }
    static func handoff(_ candidateID: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("handoffs"), value(.candidate,
                                                                                                                            candidateID)) }

    static var absences: APIPath { APIPath(.fixed("absences")) }
    static func absence(_ externalID: (any CustomStringConvertible)? = nil) -> APIPath { APIPath(.fixed("absences"), value(.absence, externalID)) }

    private static func source(_ id: (any CustomStringConvertible)?, _ rest: String...) -> APIPath {
        APIPath(segments: [.fixed("sources"), value(.source, id)] + rest.map(Segment.fixed))
    }

    private static func connection(_ id: (any CustomStringConvertible)?, _ rest: String...) -> APIPath {
        APIPath(segments: [.fixed("connections"), value(.connection, id)] + rest.map(Segment.fixed))
    }
}

// MARK: Registering and reading

extension RoutesBuilder {
    /// Registers `path`'s pattern for `method`.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(_ method: HTTPMethod, _ path: APIPath,
                                              use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(method, path.components, use: closure)
    }
}
