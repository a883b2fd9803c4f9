import Fluent
import FluentSQL
import Foundation
import Logging

/// Runs connections when they are due. Several instances may share one PostgreSQL: a connection is
/// claimed with a lease in the database (`FOR UPDATE SKIP LOCKED`), kept alive by a heartbeat while
/// it runs, and taken over by another instance once the lease expires (an instance that died).
///
/// Runs of different sources go in parallel, up to `concurrency` sources at a time per instance;
/// each source keeps one listing at a time (all its due connections are claimed together, and a
/// source with any connection leased — here, on another instance or by a run started by hand — is
/// left alone until that lease is given back). Due sources are taken longest-waiting first, and a
/// finished run frees its slot for the next one at once, so nobody sleeps while work is due.
public actor Scheduler {
    let database: any Database
    let runner: SyncRunner
    /// This instance's name in `lease_owner`.
    public nonisolated let owner: String
    let now: @Sendable () -> Date
    let logger: Logger
    /// A lease not renewed for this long is free for another instance.
    public let leaseDuration: TimeInterval
    /// Sources this instance syncs at once.
    public nonisolated let concurrency: Int
    /// Told when a source's run starts and ends (tests watch overlap with it).
    let observer: (@Sendable (Event) -> Void)?

    public enum Event: Sendable, Equatable {
        case started(source: UUID, connections: [UUID])
        case finished(source: UUID)
    }

    /// Sources in flight at once when `ROLLCALL_SYNC_CONCURRENCY` is unset: runs mostly wait for
    /// Personio, the app and the database, so a few per core keep the cores busy.
    public static var defaultConcurrency: Int { max(4, ProcessInfo.processInfo.activeProcessorCount * 4) }

    public init(database: any Database, runner: SyncRunner, owner: String = "rollcall-\(UUID().uuidString.prefix(8))",
                now: @escaping @Sendable () -> Date, leaseDuration: TimeInterval = 30, concurrency: Int = Scheduler.defaultConcurrency,
                logger: Logger = Logger(label: "rollcall.scheduler"), observer: (@Sendable (Event) -> Void)? = nil) {
        self.database = database
        self.runner = runner
        self.owner = owner
        self.now = now
        self.leaseDuration = leaseDuration
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.observer = observer
    }

    /// One pass: claims what is due (up to `concurrency` sources), runs the sources in parallel, one
    /// listing each, and releases them.
    @discardableResult
    public func runDue() async throws -> [RunReport] {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return [] }
        let heartbeat = lease.keepAlive()
        defer { heartbeat.cancel() }
        return await withTaskGroup(of: [RunReport].self) { group in
            for (source, connections) in Self.bySource(claimed) {
                group.addTask { await self.runSource(source, connections) }
            }
            var reports: [RunReport] = []
            for await batch in group { reports += batch }
            return reports
        }
    }

    private var stopping = false

    /// Asks `run(every:)` to return after the runs under way: no new connection is claimed, and the
    /// runs in progress finish and release their leases (a graceful shutdown).
    public func stop() {
        stopping = true
    }

    private enum Wake: Sendable { case finished, tick }

    /// Runs due connections until stopped or cancelled: whenever a slot is free and something is due
    /// it is claimed at once; with nothing due it looks again every `interval`.
    public func run(every interval: Duration = .seconds(1)) async {
        let heartbeat = lease.keepAlive()
        defer { heartbeat.cancel() }
        let health = HubHealthService(database: database, now: now)
        let started = now()
        await withTaskGroup(of: Wake.self) { group in
            var inFlight = 0
            var ticking = false
            var lastReport = Date.distantPast
            while !Task.isCancelled, !stopping {
                var claimedAll = false
                if inFlight < concurrency {
                    do {
                        let claimed = try await claim(sources: concurrency - inFlight)
                        let sources = Self.bySource(claimed)
                        claimedAll = sources.count == concurrency - inFlight
                        for (source, connections) in sources {
                            inFlight += 1
                            group.addTask {
                                _ = await self.runSource(source, connections)
                                return .finished
                            }
                        }
                    } catch {
                        logger.error("claiming due connections failed", metadata: ["error": "\(ErrorText.explain(error))"])
                    }
                }
                runner.metrics?.setInFlight(inFlight)
                if now().timeIntervalSince(lastReport) >= 5 {
                    lastReport = now()
                    await reportHealth(health, started: started, inFlight: inFlight)
                }
                // Slots free and nothing more due: look again after the interval (or when a run ends).
                if !claimedAll, !ticking {
                    ticking = true
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        return .tick
                    }
                }
                guard let wake = await group.next() else { break }
                switch wake {
                case .finished: inFlight -= 1
                case .tick: ticking = false
                }
            }
            // the runs under way finish (the group waits for them); nothing new is claimed
        }
        runner.metrics?.setInFlight(0)
        try? await health.remove(instance: owner)
    }

    /// The backlog for `/metrics`, and this instance's row for the operator's health view.
    private func reportHealth(_ health: HubHealthService, started: Date, inFlight: Int) async {
        do {
            runner.metrics?.setWaiting(try await health.waiting())
            try await health.report(instance: owner, startedAt: started, concurrency: concurrency, runsInFlight: inFlight,
                                    lagP50: runner.metrics?.recentScheduleLag(0.5), lagP95: runner.metrics?.recentScheduleLag(0.95))
        } catch {
            logger.warning("recording the scheduler's health failed", metadata: ["error": "\(ErrorText.explain(error))"])
        }
    }

    /// Runs one source's claimed connections on one listing and gives their leases back.
    private nonisolated func runSource(_ source: UUID, _ connections: [Claim]) async -> [RunReport] {
        let started = now()
        for claim in connections { runner.metrics?.recordScheduleLag(claim.nextRunAt.map { max(0, started.timeIntervalSince($0)) } ?? 0) }
        let ids = connections.map(\.id)
        observer?(.started(source: source, connections: ids))
        var reports: [RunReport] = []
        do {
            reports = try await runner.run(sourceID: source, connectionIDs: ids)
        } catch {
            logger.error("scheduled run failed", metadata: ["source": "\(source)", "error": "\(ErrorText.explain(error))"])
        }
        observer?(.finished(source: source))
        do { try await lease.release(ids) } catch {
            logger.warning("giving a lease back failed; it expires on its own", metadata: ["error": "\(ErrorText.explain(error))"])
        }
        return reports
    }

    private nonisolated var lease: Lease { Lease(database: database, owner: owner, now: now, duration: leaseDuration) }

    private static func bySource(_ claimed: [Claim]) -> [(UUID, [Claim])] {
        var order: [UUID] = []
        var grouped: [UUID: [Claim]] = [:]
        for claim in claimed {
            if grouped[claim.sourceID] == nil { order.append(claim.sourceID) }
            grouped[claim.sourceID, default: []].append(claim)
        }
        return order.map { ($0, grouped[$0] ?? []) }
    }

    struct Claim: Decodable {
        var id: UUID
        var sourceID: UUID
        /// When it was due (nil: never run yet).
        var nextRunAt: Date?
    }

    /// Leases to this instance, in one statement, every due connection of up to `sources` due sources
    /// (default: `concurrency`), longest-waiting source first. A source with any connection leased is
    /// skipped, so it never has two listings at once; on PostgreSQL rows another instance is claiming
    /// are skipped, not waited for. The sources are picked among the longest-waiting due connections
    /// only (a few per slot, read along the `connections_due` index), so a claim costs the same with a
    /// backlog of ten thousand as with none.
    func claim(sources: Int? = nil) async throws -> [Claim] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let current = now()
        let postgres = sql.dialect.name == "postgresql"
        let lock = postgres ? " FOR UPDATE SKIP LOCKED" : ""
        // SQLite sorts NULL (never run) first already; PostgreSQL must be told
        let nullsFirst = postgres ? " NULLS FIRST" : ""
        let wanted = max(1, sources ?? concurrency)
        let due = SQLQueryString("paused = \(bind: false) AND (next_run_at IS NULL OR next_run_at <= \(bind: current)) ")
            + SQLQueryString("AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: current))")
        let candidates = SQLQueryString("""
            SELECT source_id, next_run_at FROM connections d WHERE \(due) \
            AND NOT EXISTS (SELECT 1 FROM connections l WHERE l.source_id = d.source_id AND l.lease_expires_at >= \(bind: current)) \
            ORDER BY next_run_at\(unsafeRaw: nullsFirst) LIMIT \(literal: wanted * 4)
            """)
        let dueSources = SQLQueryString("""
            SELECT source_id FROM (\(candidates)) c \
            GROUP BY source_id ORDER BY MIN(COALESCE(next_run_at, \(bind: Date(timeIntervalSince1970: 0)))) LIMIT \(literal: wanted)
            """)
        let rows = SQLQueryString("SELECT id FROM connections WHERE \(due) AND source_id IN (\(dueSources))\(unsafeRaw: lock)")
        return try await sql.raw("""
            UPDATE connections SET lease_owner = \(bind: owner), lease_expires_at = \(bind: current.addingTimeInterval(leaseDuration)) \
            WHERE id IN (\(rows)) AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: current)) \
            RETURNING id, source_id, next_run_at
            """).all(decoding: Claim.self, with: HubDatabase.rows)
            .sorted { ($0.nextRunAt ?? .distantPast, $0.id.uuidString) < ($1.nextRunAt ?? .distantPast, $1.id.uuidString) }
    }
}
