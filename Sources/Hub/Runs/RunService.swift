import Fluent
import Foundation

/// Runs on demand (API, dashboard, approvals) and what the next run would do to one person; the
/// sync pipeline itself is `SyncRunner`'s.
struct RunService: Sendable {
    let runner: SyncRunner

    var environment: HubEnvironment { runner.environment }

    /// Syncs one connection now, holding its lease; `SyncError.busy` while another run holds it.
    func runNow(_ connectionID: UUID, full: Bool? = nil, dryRun: Bool = false) async throws -> RunReport {
        try await runner.runNow(connectionID: connectionID, full: full, dryRun: dryRun)
    }

    /// What the next run would do to one person, and why (changes nothing).
    func explain(connectionID: UUID, personioID: Int) async throws -> SyncRunner.Explanation {
        try await runner.explain(connectionID: connectionID, personioID: personioID)
    }

    /// A run of one of the workspace's connections, with the connection; not found otherwise.
    static func find(_ id: UUID?, workspaceID: UUID, on database: any Database) async throws -> (run: RunModel, connection: ConnectionModel) {
        guard let id, let run = try await RunModel.query(on: database).filter(\.$id == id).join(parent: \.$connection)
            .filter(ConnectionModel.self, \.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("run") }
        return (run, try run.joined(ConnectionModel.self))
    }

    /// A run's operations by Personio id; `outcome`: only those; at most `limit`.
    static func operations(of runID: UUID, outcome: RunOperationModel.Outcome? = nil, limit: Int? = nil,
                           on database: any Database) async throws -> [RunOperationModel] {
        var query = RunOperationModel.query(on: database).filter(\.$run.$id == runID).sort(\.$personioID)
        if let outcome { query = query.filter(\.$outcome == outcome) }
        if let limit { query = query.limit(limit) }
        return try await query.all()
    }

    /// A connection's last run that was not a preview.
    static func lastRun(of connectionID: UUID, on database: any Database) async throws -> RunModel? {
        try await RunModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$dryRun == false)
            .sort(\.$startedAt, .descending).first()
    }

    /// The person's last operation in each of these connections (not previews), in one query.
    static func lastOperations(of personioID: Int, in connections: [UUID], on database: any Database) async throws -> [UUID: RunOperationModel] {
        let operations = try await RunOperationModel.query(on: database).filter(\.$personioID == personioID).join(parent: \.$run)
            .filter(RunModel.self, \.$connection.$id ~~ connections).filter(RunModel.self, \.$dryRun == false)
            .sort(RunModel.self, \.$startedAt, .descending).all()
        var last: [UUID: RunOperationModel] = [:]
        for operation in operations {
            let connection = try operation.joined(RunModel.self).$connection.id
            if last[connection] == nil { last[connection] = operation }
        }
        return last
    }

    /// A connection's latest runs, newest first.
    static func latest(of connectionID: UUID, limit: Int, on database: any Database) async throws -> [RunModel] {
        try await RunModel.query(on: database).filter(\.$connection.$id == connectionID).sort(\.$startedAt, .descending).limit(limit).all()
    }
}
