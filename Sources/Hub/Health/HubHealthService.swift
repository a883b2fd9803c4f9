import Fluent
import FluentSQL
import Foundation

/// The hub's own health, for its operator: the instances sharing the database (each scheduler
/// reports itself every few seconds), how many connections are due but waiting, and how late runs
/// start. `GET /api/v1/hub/health` (admin token) shows it; `/metrics` has the same per instance.
public struct HubHealthService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// An instance not heard from for this long is shown as gone (it reports every 5 s).
    static let silence: TimeInterval = 60

    public struct Report: Sendable, Equatable {
        public struct Instance: Sendable, Equatable {
            public var name: String
            public var startedAt: Date
            public var seenAt: Date
            public var alive: Bool
            public var concurrency: Int
            public var runsInFlight: Int
            public var scheduleLagP50: Double?
            public var scheduleLagP95: Double?
        }

        public var instances: [Instance]
        public var connections: Int
        public var paused: Int
        public var running: Int
        /// Due and not running.
        public var waiting: Int
        /// How long the connection that has waited longest has been due (since it was made, when it never
        /// ran; 0: none waiting).
        public var oldestWaitingSeconds: Double
    }

    /// Records this instance's state (an upsert keyed by its name).
    func report(instance name: String, startedAt: Date, concurrency: Int, runsInFlight: Int, lagP50: Double?, lagP95: Double?) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO hub_instances (name, started_at, seen_at, concurrency, runs_in_flight, lag_p50, lag_p95) \
            VALUES (\(bind: name), \(bind: startedAt), \(bind: now()), \(bind: concurrency), \(bind: runsInFlight), \(bind: lagP50), \
            \(bind: lagP95)) \
            ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at, concurrency = excluded.concurrency, \
            runs_in_flight = excluded.runs_in_flight, lag_p50 = excluded.lag_p50, lag_p95 = excluded.lag_p95
            """).run()
    }

    /// An instance not heard from for this long is forgotten.
    static let forgottenAfter: TimeInterval = 86_400

    /// Deletes the rows of instances gone for a day (the hourly housekeeping).
    func forgetGone() async throws {
        try await HubInstanceModel.query(on: database).filter(\.$seenAt < now().addingTimeInterval(-Self.forgottenAfter)).delete()
    }

    /// An instance that stopped on purpose leaves the list.
    func remove(instance name: String) async throws {
        try await HubInstanceModel.query(on: database).filter(\.$id == name).delete()
    }

    /// Connections that are due but not running (the backlog).
    func waiting() async throws -> Int {
        try await waitingQuery(at: now()).count()
    }

    private func waitingQuery(at current: Date) -> QueryBuilder<ConnectionModel> {
        ConnectionModel.query(on: database).filter(\.$paused == false)
            .group(.or) { $0.filter(\.$nextRunAt == nil).filter(\.$nextRunAt <= current) }
            .group(.or) { $0.filter(\.$leaseExpiresAt == nil).filter(\.$leaseExpiresAt < current) }
    }

    public func report() async throws -> Report {
        let current = now()
        // instances gone for a day are not shown (the hub's housekeeping deletes them)
        let instances = try await HubInstanceModel.query(on: database).filter(\.$seenAt >= current.addingTimeInterval(-Self.forgottenAfter))
            .sort(\.$startedAt).all().map { model in
            Report.Instance(name: model.id ?? "", startedAt: model.startedAt, seenAt: model.seenAt,
                            alive: current.timeIntervalSince(model.seenAt) < Self.silence, concurrency: model.concurrency,
                            runsInFlight: model.runsInFlight, scheduleLagP50: model.lagP50, scheduleLagP95: model.lagP95)
        }
        // a connection that never ran has waited since it was made
        let oldest = [try await waitingQuery(at: current).filter(\.$nextRunAt != nil).min(\.$nextRunAt),
                      try await waitingQuery(at: current).filter(\.$nextRunAt == nil).min(\.$createdAt)].compactMap { $0 }.min()
        return Report(instances: instances, connections: try await ConnectionModel.query(on: database).count(),
                      paused: try await ConnectionModel.query(on: database).filter(\.$paused == true).count(),
                      running: try await ConnectionModel.query(on: database).filter(\.$leaseExpiresAt >= current).count(),
                      waiting: try await waitingQuery(at: current).count(),
                      oldestWaitingSeconds: oldest.map { max(0, current.timeIntervalSince($0)) } ?? 0)
    }
}
