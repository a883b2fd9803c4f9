import Fluent
import FluentSQL
import Foundation
import Logging

/// Runs connections when they are due. Several instances may share one PostgreSQL: a connection is
/// claimed with a lease in the database (`FOR UPDATE SKIP LOCKED`), kept alive by a heartbeat while
/// it runs, and taken over by another instance once the lease expires (an instance that died).
public actor Scheduler {
    let database: any Database
    let runner: SyncRunner
    /// This instance's name in `lease_owner`.
    public nonisolated let owner: String
    let now: @Sendable () -> Date
    let logger: Logger
    /// A lease not renewed for this long is free for another instance.
    public let leaseDuration: TimeInterval
    /// Connections claimed per pass.
    let batch: Int

    public init(database: any Database, runner: SyncRunner, owner: String = "rollcall-\(UUID().uuidString.prefix(8))",
                now: @escaping @Sendable () -> Date, leaseDuration: TimeInterval = 30, batch: Int = 20,
                logger: Logger = Logger(label: "rollcall.scheduler")) {
        self.database = database
        self.runner = runner
        self.owner = owner
        self.now = now
        self.leaseDuration = leaseDuration
        self.batch = batch
        self.logger = logger
    }

    /// One pass: claims the due connections, runs them one listing per source, and releases them.
    @discardableResult
    public func runDue() async throws -> [RunReport] {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return [] }
        let lease = Lease(database: database, owner: owner, now: now, duration: leaseDuration)
        let heartbeat = lease.keepAlive()
        defer { heartbeat.cancel() }
        var reports: [RunReport] = []
        for (source, connections) in Dictionary(grouping: claimed, by: \.source) {
            do {
                reports += try await runner.run(sourceID: source, connectionIDs: connections.map(\.id))
            } catch {
                logger.error("scheduled run failed", metadata: ["source": "\(source)", "error": "\(error)"])
            }
            try await lease.release(connections.map(\.id))
        }
        return reports
    }

    private var stopping = false

    /// Asks `run(every:)` to return after the pass under way: no new connection is claimed, and the
    /// runs in progress finish and release their leases (a graceful shutdown).
    public func stop() {
        stopping = true
    }

    /// Runs passes every `interval` until stopped or cancelled.
    public func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled, !stopping {
            do { try await runDue() } catch { logger.error("scheduler pass failed", metadata: ["error": "\(error)"]) }
            try? await Task.sleep(for: interval)
        }
    }

    struct Claim: Decodable {
        var id: UUID
        var source: UUID

        enum CodingKeys: String, CodingKey {
            case id, source = "source_id"
        }
    }

    /// Leases due connections to this instance in one statement; on PostgreSQL rows another
    /// instance is claiming are skipped, not waited for.
    func claim() async throws -> [Claim] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let current = now()
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let due = SQLQueryString("""
            SELECT id FROM connections WHERE paused = \(bind: false) \
            AND (next_run_at IS NULL OR next_run_at <= \(bind: current)) \
            AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: current)) \
            ORDER BY next_run_at LIMIT \(literal: batch)\(unsafeRaw: lock)
            """)
        return try await sql.raw("""
            UPDATE connections SET lease_owner = \(bind: owner), lease_expires_at = \(bind: current.addingTimeInterval(leaseDuration)) \
            WHERE id IN (\(due)) AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: current)) \
            RETURNING id, source_id
            """).all(decoding: Claim.self)
    }
}
