import Fluent
import Foundation
import SyncEngine
import Provisioning
import Vapor

/// The REST API under `/api/v1`, every route scoped to the bearer token's workspace. Another
/// workspace's ids answer 404, exactly like ids that do not exist.
struct APIRoutes: RouteCollection {
    let runner: SyncRunner

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(TokenAuthenticator())
        api.get("connections", use: listConnections)
        api.get("connections", ":connection", use: getConnection)
        api.post("connections", ":connection", "runs", use: startRun)
        api.get("connections", ":connection", "runs", use: listRuns)
        api.get("runs", ":run", use: getRun)
        api.get("connections", ":connection", "people", use: feed)
        api.get("connections", ":connection", "people", ":personioId", use: person)
    }

    // MARK: Connections

    struct ConnectionView: Content {
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

        struct WithheldAttribute: Content {
            var attribute: String
            var since: Date
        }

        struct SCIMView: Content {
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

            enum CodingKeys: String, CodingKey {
                case deletes, correlation, compatibility
                case baseURL = "base_url", userNameField = "user_name_field", compatibilityInForce = "compatibility_in_force"
                case omittedAttributes = "omitted_attributes"
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
            seatLimit = try StoredJSON.decode(ConnectionRules.self, model.rules).policy.seatLimit
            nextRunAt = model.nextRunAt
            lastError = model.lastError
            let sharing = model.sharing
            withheldAttributes = sharing.withheld.keys.sorted().compactMap { key in
                sharing.withheld[key].map { WithheldAttribute(attribute: key, since: $0) }
            }
            scim = model.targetKind == .scim ? SCIMView(try StoredJSON.decode(SCIMTargetSettings.self, model.targetConfig)) : nil
        }

        enum CodingKeys: String, CodingKey {
            case id, name, preset, target, paused
            case incrementalInterval = "incremental_interval", fullInterval = "full_interval", nextRunAt = "next_run_at"
            case lastError = "last_error", seatLimit = "seat_limit", withheldAttributes = "withheld_attributes", scim
        }
    }

    struct List<Item: Content>: Content {
        var data: [Item]
    }

    func listConnections(_ request: Request) async throws -> List<ConnectionView> {
        let scope = try request.workspace
        let models = try await ConnectionModel.query(on: request.db).filter(\.$workspace.$id == scope.workspaceID).sort(\.$createdAt).all()
        return List(data: try models.map(ConnectionView.init))
    }

    func getConnection(_ request: Request) async throws -> ConnectionView {
        try ConnectionView(try await connection(request))
    }

    private func connection(_ request: Request) async throws -> ConnectionModel { try await Self.connection(request) }

    /// The connection named in the path, if it belongs to the token's workspace.
    static func connection(_ request: Request) async throws -> ConnectionModel {
        try await ConnectionService.find(request.parameters.get("connection", as: UUID.self), workspaceID: try request.workspace.workspaceID,
                                         on: request.db)
    }

    // MARK: Runs

    struct RunRequest: Content {
        var full: Bool?
        var dryRun: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case full, dryRun = "dry_run"
        }
    }

    func startRun(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        let body = request.body.data == nil ? RunRequest() : try request.strictContent(RunRequest.self)
        let report: RunReport
        do {
            report = try await runner.runNow(connectionID: try connection.requireID(), full: body.full, dryRun: body.dryRun ?? false)
        } catch SyncError.busy {
            throw APIError(status: .conflict, code: "busy", message: SyncError.busy.description)
        }
        return try Self.encode(report, status: .created)
    }

    struct RunView: Content {
        var id: UUID
        var full: Bool
        var dryRun: Bool
        var status: String
        var startedAt: Date
        var finishedAt: Date?
        var counts: [String: Int]
        var personioRequests: Int
        var error: String?
        var operations: [OperationView]?

        enum CodingKeys: String, CodingKey {
            case id, full, status, counts, error, operations
            case dryRun = "dry_run", startedAt = "started_at", finishedAt = "finished_at", personioRequests = "personio_requests"
        }

        init(_ run: RunModel, operations: [RunOperationModel]?) throws {
            id = try run.requireID()
            full = run.full
            dryRun = run.dryRun
            status = run.status.rawValue
            startedAt = run.startedAt
            finishedAt = run.finishedAt
            counts = (try? StoredJSON.decode([String: Int].self, run.counts)) ?? [:]
            personioRequests = run.personioRequests
            error = run.error
            self.operations = operations?.map(OperationView.init)
        }
    }

    struct OperationView: Content {
        var personioId: Int
        var kind: String
        var reason: String
        var outcome: String
        var changedFields: [String]
        var error: String?

        enum CodingKeys: String, CodingKey {
            case kind, reason, outcome, error
            case personioId = "personio_id", changedFields = "changed_fields"
        }

        init(_ model: RunOperationModel) {
            personioId = model.personioID
            kind = model.kind
            reason = model.reason
            outcome = model.outcome.rawValue
            changedFields = model.changedFields
            error = model.errorExplanation
        }
    }

    func listRuns(_ request: Request) async throws -> List<RunView> {
        let connection = try await connection(request)
        let runs = try await RunModel.query(on: request.db).filter(\.$connection.$id == connection.requireID())
            .sort(\.$startedAt, .descending).limit(50).all()
        return List(data: try runs.map { try RunView($0, operations: nil) })
    }

    func getRun(_ request: Request) async throws -> RunView {
        let scope = try request.workspace
        guard let id = request.parameters.get("run", as: UUID.self),
              let run = try await RunModel.query(on: request.db).filter(\.$id == id).join(parent: \.$connection)
                .filter(ConnectionModel.self, \.$workspace.$id == scope.workspaceID).first() else { throw APIError.notFound("run") }
        let operations = try await RunOperationModel.query(on: request.db).filter(\.$run.$id == id).sort(\.$personioID).all()
        return try RunView(run, operations: operations)
    }

    // MARK: The feed

    struct Change: Content {
        var sequence: Int
        var personioId: Int
        var state: String
        var fields: [String: String]
        var changedFields: [String]
        var changedAt: Date

        enum CodingKeys: String, CodingKey {
            case sequence, state, fields
            case personioId = "personio_id", changedFields = "changed_fields", changedAt = "changed_at"
        }
    }

    struct FeedPage: Content {
        var data: [Change]
        /// Pass it as `cursor` to read on; store it to resume later.
        var nextCursor: String
        var hasMore: Bool

        enum CodingKeys: String, CodingKey {
            case data
            case nextCursor = "next_cursor", hasMore = "has_more"
        }
    }

    /// Every change after `cursor`, oldest first: a consumer that stores `next_cursor` never misses
    /// or repeats a change.
    func feed(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        let cursor = try request.integer("cursor", in: 0...Int.max, default: 0, "cursor must be a next_cursor from an earlier page, or 0")
        let limit = try request.integer("limit", in: 1...1000, default: 100, "limit must be between 1 and 1000")
        let rows = try await DirectoryChangeModel.query(on: request.db).filter(\.$connection.$id == connection.requireID())
            .filter(\.$id > cursor).sort(\.$id).limit(limit + 1).all()
        let page = try rows.prefix(limit).map { row in
            Change(sequence: try row.requireID(), personioId: row.personioID, state: row.state.rawValue,
                   fields: try StoredJSON.fields(row.fields), changedFields: row.changedFields, changedAt: row.createdAt)
        }
        let body = FeedPage(data: page, nextCursor: String(page.last?.sequence ?? cursor), hasMore: rows.count > limit)
        return try Self.encode(body, status: .ok)
    }

    struct PersonView: Content {
        var personioId: Int
        var state: String
        var fields: [String: String]
        var updatedAt: Date?

        enum CodingKeys: String, CodingKey {
            case state, fields
            case personioId = "personio_id", updatedAt = "updated_at"
        }
    }

    func person(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        guard let personioID = request.parameters.get("personioId", as: Int.self) else {
            throw APIError.invalid("personioId", "a Personio employee id is a number")
        }
        guard let link = try await LinkModel.query(on: request.db).filter(\.$connection.$id == connection.requireID())
            .filter(\.$personioID == personioID).first() else { throw APIError.notFound("person") }
        let view = PersonView(personioId: personioID, state: link.state.rawValue, fields: try link.fields.map(StoredJSON.fields) ?? [:],
                              updatedAt: link.updatedAt)
        return try Self.encode(view, status: .ok)
    }

    /// A JSON answer in the API's encoding (snake_case keys as declared, ISO 8601 dates, sorted keys).
    static func encode(_ value: some Encodable, status: HTTPResponseStatus) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: encoder)
        return response
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
