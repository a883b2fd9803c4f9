import Fluent
import Foundation
import PersonioAPI
import Provisioning
import SyncEngine
import Vapor

/// What every API route answers with: the JSON encoding, lists, and the views more than one route
/// collection returns; and the connection named in a path.
enum API {
    struct ConnectionView: APIContent {
        var id: UUID
        var name: String
        var preset: String
        var target: String
        var paused: Bool
        var incrementalInterval: Int
        var fullInterval: Int
        var seatLimit: Int?
        var nextRunAt: Date?
        var lastError: String?
        /// Attributes the rules rely on that Personio stopped sharing with the credential.
        var withheldAttributes: [WithheldAttribute]
        /// Where a `scim` connection sends people (never the token).
        var scim: SCIMView?
        /// Required attributes Personio has never shared with the credential: runs fail, nobody is sent.
        var blockedBy: [String]
        /// Lifecycle rules that lack the attribute they decide on.
        var warnings: [String]
        /// Which field gets what (as `PATCH` takes it back).
        var mapping: JSONValue
        /// Whom the connection is about (`[]`: everyone).
        var scope: JSONValue
        /// Said once, when the connection is made: what its preset found among the custom attributes.
        var notes: [String]?

        struct WithheldAttribute: APIContent {
            var attribute: String
            var since: Date
        }

        struct SCIMView: APIContent {
            var baseURL: String
            var deletes: Bool
            var userNameField: String
            var correlation: [String]
            var compatibility: CompatibilityInput
            /// The compatibility settings in force, in words (empty: as the app announces).
            var compatibilityInForce: [String]
            /// What the app's `/Schemas` makes Rollcall leave out of every user.
            var omittedAttributes: [String]

            init(_ settings: SCIMTargetSettings) {
                baseURL = settings.baseURL
                deletes = settings.deletes
                userNameField = settings.userNameField
                correlation = (settings.correlation ?? SCIMConfiguration(baseURL: "", token: "").correlation).map(\.rawValue)
                compatibility = CompatibilityInput(preset: settings.compatibilityPreset, settings.compatibility)
                compatibilityInForce = settings.effectiveCompatibility.summary
                omittedAttributes = settings.omitted ?? []
            }

        }

        init(_ model: ConnectionModel) throws {
            id = try model.requireID()
            name = model.name
            preset = model.preset
            target = model.targetKind.rawValue
            paused = model.paused
            incrementalInterval = model.incrementalInterval
            fullInterval = model.fullInterval
            seatLimit = try model.connectionRules().policy.seatLimit
            nextRunAt = model.nextRunAt
            lastError = model.lastError
            let sharing = model.sharing
            withheldAttributes = sharing.withheld.keys.sorted().compactMap { key in
                sharing.withheld[key].map { WithheldAttribute(attribute: key, since: $0) }
            }
            scim = try model.scimSettings().map(SCIMView.init)
            let rules = try model.connectionRules()
            mapping = MappingInput.json(rules.mapping)
            scope = ScopeInput.json(rules.scope)
            blockedBy = model.blockedBy
            warnings = model.lifecycleWarnings
        }
    }

    struct List<Item: Content>: APIContent {
        var data: [Item]
    }

    /// The connection named in the path, if it belongs to the token's workspace.
    static func connection(_ request: Request) async throws -> ConnectionModel {
        try await ConnectionService.find(request.parameters.get(.connection, as: UUID.self), workspaceID: try request.workspace.workspaceID,
                                         on: request.db)
    }

    /// The source named in the path, if it belongs to the token's workspace.
    static func source(_ request: Request) async throws -> SourceModel {
        try await SourceService.find(request.parameters.get(.source, as: UUID.self), workspaceID: try request.workspace.workspaceID,
                                     on: request.db)
    }

    struct RunRequest: APIContent {
        var full: Bool?
        var dryRun: Bool?

        enum CodingKeys: CodingKey, CaseIterable {
            case full, dryRun
        }
    }

    struct OperationView: APIContent {
        var personioID: Int
        var kind: String
        var reason: String
        var outcome: String
        var changedFields: [String]
        var error: String?

        init(_ model: RunOperationModel) {
            personioID = model.personioID
            kind = model.kind
            reason = model.reason
            outcome = model.outcome.rawValue
            changedFields = model.changedFields
            error = model.errorExplanation
        }
    }

    /// A JSON answer in the API's encoding (`HubJSON`).
    static func encode(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: HubJSON.encoder)
        return response
    }
}

extension RoutesBuilder {
    /// Routes that need a workspace's API token (the request's workspace and actor are set); their
    /// paths are `APIPath`s.
    var workspaceAPI: any RoutesBuilder { grouped(TokenAuthenticator()) }
}
