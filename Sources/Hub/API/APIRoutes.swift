import Fluent
import Foundation
import SyncEngine
import Provisioning
import Vapor

/// The REST API under `/api/v1`, every route scoped to the bearer token's workspace. Another
/// workspace's ids answer 404, exactly like ids that do not exist.
struct APIRoutes: RouteCollection {
    let runs: RunService

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.GET, .connections, use: listConnections)
        api.on(.GET, .connection(), use: getConnection)
        api.on(.POST, .connectionRuns(), use: startRun)
        api.on(.GET, .connectionRuns(), use: listRuns)
        api.on(.GET, .run(), use: getRun)
        api.on(.GET, .connectionPeople(), use: feed)
        api.on(.GET, .connectionPerson(), use: person)
    }

    // MARK: Connections

    func listConnections(_ request: Request) async throws -> API.List<API.ConnectionView> {
        let models = try await ConnectionService.all(workspaceID: try request.workspace.workspaceID, on: request.db)
        return API.List(data: try models.map(API.ConnectionView.init))
    }

    func getConnection(_ request: Request) async throws -> API.ConnectionView {
        try API.ConnectionView(try await connection(request))
    }

    private func connection(_ request: Request) async throws -> ConnectionModel { try await API.connection(request) }

    // MARK: Runs

    func startRun(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        let body = request.body.data == nil ? API.RunRequest() : try request.strictContent(API.RunRequest.self)
        let report: RunReport
        do {
            report = try await runs.runNow(try connection.requireID(), full: body.full, dryRun: body.dryRun ?? false)
        } catch SyncError.busy {
            throw APIError(status: .conflict, code: "busy", message: SyncError.busy.description)
        }
        return try API.encode(report, status: .created)
    }

    struct RunView: APIContent {
        var id: UUID
        var full: Bool
        var dryRun: Bool
        var status: String
        var startedAt: Date
        var finishedAt: Date?
        var counts: [String: Int]
        /// Listed people the run left alone; each is among the operations with outcome `skipped`.
        var skipped: Int
        var personioRequests: Int
        var error: String?
        var operations: [API.OperationView]?

        init(_ run: RunModel, operations: [RunOperationModel]?) throws {
            id = try run.requireID()
            full = run.full
            dryRun = run.dryRun
            status = run.status.rawValue
            startedAt = run.startedAt
            finishedAt = run.finishedAt
            counts = run.operationCounts
            skipped = run.skipped
            personioRequests = run.personioRequests
            error = run.error
            self.operations = operations?.map(API.OperationView.init)
        }
    }

    func listRuns(_ request: Request) async throws -> API.List<RunView> {
        let connection = try await connection(request)
        let runs = try await RunService.latest(of: connection.requireID(), limit: 50, on: request.db)
        return API.List(data: try runs.map { try RunView($0, operations: nil) })
    }

    func getRun(_ request: Request) async throws -> RunView {
        let (run, _) = try await RunService.find(request.parameters.get(.run, as: UUID.self), workspaceID: try request.workspace.workspaceID,
                                                 on: request.db)
        return try RunView(run, operations: try await RunService.operations(of: run.requireID(), on: request.db))
    }

    // MARK: The feed

    struct Change: APIContent {
        var sequence: Int
        var personioID: Int
        var state: String
        var fields: [String: String]
        var changedFields: [String]
        var changedAt: Date
    }

    struct FeedPage: APIContent {
        var data: [Change]
        /// Pass it as `cursor` to read on; store it to resume later.
        var nextCursor: String
        var hasMore: Bool
    }

    /// Every change after `cursor`, oldest first: a consumer that stores `next_cursor` never misses
    /// or repeats a change.
    func feed(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        let cursor = try request.integer("cursor", in: 0...Int.max, default: 0, "cursor must be a next_cursor from an earlier page, or 0")
        let limit = try request.integer("limit", in: 1...1000, default: 100, "limit must be between 1 and 1000")
        let rows = try await ConnectionService.changes(of: connection.requireID(), after: cursor, limit: limit + 1, on: request.db)
        let page = try rows.prefix(limit).map { row in
            Change(sequence: try row.requireID(), personioID: row.personioID, state: row.state.rawValue,
                   fields: try StoredJSON.fields(row.fields), changedFields: row.changedFields, changedAt: row.createdAt)
        }
        let body = FeedPage(data: page, nextCursor: String(page.last?.sequence ?? cursor), hasMore: rows.count > limit)
        return try API.encode(body, status: .ok)
    }

    struct PersonView: APIContent {
        var personioID: Int
        var state: String
        var fields: [String: String]
        var updatedAt: Date?
    }

    func person(_ request: Request) async throws -> Response {
        let connection = try await connection(request)
        guard let personioID = request.parameters.get(.person, as: Int.self) else {
            throw APIError.invalid(RouteParameter.person.rawValue, "a Personio employee id is a number")
        }
        guard let link = try await ConnectionService.links(of: personioID, in: [connection.requireID()], on: request.db).first else {
            throw APIError.notFound("person")
        }
        let view = PersonView(personioID: personioID, state: link.state.rawValue, fields: try link.fields.map(StoredJSON.fields) ?? [:],
                              updatedAt: link.updatedAt)
        return try API.encode(view, status: .ok)
    }

}
