import Fluent
import Foundation
import Logging
import PersonioAPI
import Provisioning
import SyncEngine

/// Runs syncs: one Personio listing per source, planned and applied for each of its connections,
/// with every operation recorded with its reason and outcome.
///
/// Crash safety: a feed target lives in the same database, so each batch of operations updates
/// the links, appends the directory changes and records the operations in one transaction. A run
/// killed at any point leaves whole batches behind; the next run plans from the links as they are
/// and does the rest: nothing is created twice and no change is lost.
public struct SyncRunner: Sendable {
    /// Makes the Personio client for a source (the live one, or one pointed at a sandbox in tests).
    public typealias ClientFactory = @Sendable (_ baseURL: String, _ credentials: PersonioCredentials) -> PersonioClient

    let database: any Database
    /// The vault, Personio clients, clock, logger, metrics, SCIM transport and outbound policy the
    /// hub's services share (built once by `HubApp`).
    public var environment: HubEnvironment
    var vault: Vault { environment.vault }
    var clients: PersonioClients { environment.clients }
    var now: @Sendable () -> Date { environment.now }
    var logger: Logger { environment.logger }
    /// Incremental listings ask for changes since the last listing began, minus this much, so a
    /// change written while that listing ran is not missed.
    public var overlap: TimeInterval = 120
    /// Operations applied per transaction.
    public var batchSize = 500
    /// People without a target id from which a SCIM run reads the app's users up front.
    static let directoryMinimum = 20

    /// Where runs are counted for `/metrics`.
    public var metrics: HubMetrics? {
        get { environment.metrics }
        set { environment.metrics = newValue }
    }
    /// Told what a run is doing (the CLI draws a progress line from it on a terminal).
    public var progress: (@Sendable (SyncProgress) -> Void)?
    /// How SCIM targets are reached.
    public var scimTransport: any SCIMTransport {
        get { environment.scimTransport }
        set { environment.scimTransport = newValue }
    }
    /// Where a workspace's URLs may lead (`rollcall serve` always sets it; nil: not checked, for
    /// tests and tools that build a runner around their own loopback servers).
    public var outbound: OutboundGuard? {
        get { environment.outbound }
        set { environment.outbound = newValue }
    }
    /// Test hook: the run stops as if the process died after this many batches were written.
    var crashAfterBatches: Int?

    /// `scim`: how SCIM apps are reached (`OutboundHTTP.scim`).
    public init(database: any Database, vault: Vault, clients: PersonioClients, now: @escaping @Sendable () -> Date,
                scim: any SCIMTransport, logger: Logger = Logger(label: "rollcall.sync")) {
        self.database = database
        environment = HubEnvironment(vault: vault, clients: clients, now: now, scimTransport: scim, logger: logger)
    }

    /// Syncs one connection now, on demand (API, CLI): holds the connection's lease while it runs, so
    /// a scheduled run cannot overlap it; throws `SyncError.busy` when another run holds it.
    public func runNow(connectionID: UUID, full: Bool? = nil, dryRun: Bool = false) async throws -> RunReport {
        guard dryRun == false else { return try await run(connectionID: connectionID, full: full, dryRun: true) }
        let lease = Lease(database: database, owner: "manual-\(UUID().uuidString.prefix(8))", now: now)
        guard try await lease.acquire(connectionID) else { throw SyncError.busy }
        let heartbeat = lease.keepAlive()
        defer { heartbeat.cancel() }
        do {
            let report = try await run(connectionID: connectionID, full: full, dryRun: false)
            try await lease.release([connectionID])
            return report
        } catch {
            try? await lease.release([connectionID])
            throw error
        }
    }

    /// Syncs one connection (with one listing of its source).
    public func run(connectionID: UUID, full: Bool? = nil, dryRun: Bool = false) async throws -> RunReport {
        guard let connection = try await ConnectionModel.find(connectionID, on: database) else { throw SyncError.notFound("connection") }
        let reports = try await run(sourceID: connection.$source.id, connectionIDs: [connectionID], full: full, dryRun: dryRun)
        guard let report = reports.first else { throw SyncError.notFound("connection") }
        return report
    }

    /// Syncs the given connections of one source (all of them when nil) on one listing. `full`: nil
    /// lets the schedule decide (a full reconcile when due, or on the first run of a new day in the
    /// workspace's time zone so start and termination dates take effect that day).
    public func run(sourceID: UUID, connectionIDs: [UUID]? = nil, full: Bool? = nil, dryRun: Bool = false) async throws -> [RunReport] {
        guard let source = try await SourceModel.query(on: database).filter(\.$id == sourceID).with(\.$workspace).first() else {
            throw SyncError.notFound("source")
        }
        var query = ConnectionModel.query(on: database).filter(\.$source.$id == sourceID)
        if let connectionIDs { query = query.filter(\.$id ~~ connectionIDs) }
        let connections = try await query.sort(\.$createdAt).all()
        guard !connections.isEmpty else { return [] }
        let timeZone = TimeZone(identifier: source.workspace.timeZone) ?? TimeZone(identifier: "Europe/Berlin") ?? .current
        let started = now()
        let isFull: Bool
        if let full {
            isFull = full
        } else {
            isFull = try await needsFullListing(source, connections: connections, at: started, timeZone: timeZone)
        }

        let fetch: Fetch
        do {
            let client = try await personioClient(for: source)
            // From the earliest mark among the connections served: a later one only sees some people again.
            let since = isFull ? nil : connections.compactMap(\.updatedSince).min().map { $0.addingTimeInterval(-overlap) }
            fetch = try await Fetch.read(from: client, updatedSince: since, at: started, progress: progress)
        } catch {
            let message = ErrorText.explain(error)
            logger.warning("listing Personio failed", metadata: ["source": "\(sourceID)", "error": "\(message)"])
            var reports: [RunReport] = []
            for connection in connections {
                let report = try await recordFailure(connection, full: isFull, dryRun: dryRun, startedAt: started, message: message)
                metrics?.record(report, requests: 0, rateLimited: 0)
                reports.append(report)
            }
            return reports
        }

        var reports: [RunReport] = []
        for (index, connection) in connections.enumerated() {
            let report = try await run(connection, fetch: fetch, full: isFull, dryRun: dryRun, timeZone: timeZone)
            // The listing's requests and 429s are counted once, with the first connection it served.
            metrics?.record(report, requests: index == 0 ? fetch.requests : 0, rateLimited: index == 0 ? fetch.rateLimited : 0)
            reports.append(report)
        }
        // Only a complete listing moves the high-water marks, and only of the connections it served:
        // after an incomplete one the next run asks again from the same moment, so a change on a page
        // that was cut short is not lost.
        if !dryRun, fetch.incompleteReason == nil {
            let isFullListing = if case .full = fetch.listing { true } else { false }
            // a connection whose run failed (blocked by an attribute Personio does not share) reads the same people again
            let failed = Set(reports.filter { $0.status == .failed }.map(\.connectionID))
            for connection in connections where !failed.contains(try connection.requireID()) {
                connection.updatedSince = fetch.startedAt
                if isFullListing { connection.lastFullAt = fetch.startedAt }
                try await connection.save(on: database)
            }
            source.updatedSince = fetch.startedAt
            if isFullListing { source.lastFullAt = fetch.startedAt }
            try await source.save(on: database)
        }
        return reports
    }

    /// Takes in which attributes this listing returned; a change is stored (not by a dry run).
    private func observeSharing(_ connection: ConnectionModel, rules: ConnectionRules, fetch: Fetch,
                                dryRun: Bool) async throws -> SharedAttributes {
        let before = connection.sharing
        var sharing = before
        sharing.observe(fetch.employees, relevant: rules.attributesReliedOn, at: fetch.startedAt)
        if !dryRun, sharing != before || connection.sharedAttributes == nil {
            try connection.setSharing(sharing)
            try await connection.save(on: database)
        }
        return sharing
    }

    /// What the connection says while Personio withholds attributes it relies on.
    static func withheldNotice(_ sharing: SharedAttributes, timeZone: TimeZone) -> String {
        "Personio stopped sharing \(sharing.describe(in: timeZone)) with this API credential; the values last sent are kept "
            + "and nobody is created, archived or deleted because of it. Tick the attributes again in Personio (Settings › "
            + "Integrations › API credentials › Readable employee attributes), or accept the change on the connection."
    }

    /// What a connection says while Personio has never shared an attribute it requires.
    static func blockedNotice(_ attributes: [String]) -> String {
        let labels = attributes.map { PersonioStandardAttribute.named($0)?.label ?? $0 }
        let named = zip(labels, attributes).map { "\($0) (\($1))" }.joined(separator: ", ")
        return "Blocked: this connection needs \(named) for everyone it sends, and Personio does not share "
            + (attributes.count == 1 ? "it" : "them") + " with this source's API credential. Nobody was created, changed or removed. "
            + "In Personio, open Settings › Integrations › API credentials, edit this credential and tick "
            + labels.map { "‘\($0)’" }.joined(separator: " and ") + " under Readable employee attributes, then Sync now (or wait for the next run)."
    }

    static func secretContext(_ source: SourceModel) -> String { HubEnvironment.secretContext(source) }

    /// The (shared) Personio client for a source, with its secret opened from the vault.
    func personioClient(for source: SourceModel) async throws -> PersonioClient {
        try await environment.personioClient(for: source)
    }

    /// When a connection's next run will read the whole list (which finds people removed in Personio):
    /// a full interval after the last full listing, or the first run of a new day in the workspace's
    /// time zone, whichever comes first; nil when the next run will (never listed in full yet).
    public static func nextFullListing(after lastFull: Date?, interval: Int, timeZone: TimeZone) -> Date? {
        guard let lastFull else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let nextDay = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: lastFull)) ?? lastFull
        return min(lastFull.addingTimeInterval(TimeInterval(interval)), nextDay)
    }

    func needsFullListing(_ source: SourceModel, connections: [ConnectionModel], at now: Date, timeZone: TimeZone) async throws -> Bool {
        for connection in connections {
            guard connection.updatedSince != nil, let lastFull = connection.lastFullAt else { return true }
            if now.timeIntervalSince(lastFull) >= TimeInterval(connection.fullInterval) { return true }
            if LocalDate.today(now, timeZone) != LocalDate.today(lastFull, timeZone) { return true }
        }
        // An approved draft is provisioned by the next run, and a person whose backoff is over is tried
        // again, also when Personio has nothing new about them (an incremental listing would not list them).
        return try await LinkModel.query(on: database).filter(\.$connection.$id ~~ connections.compactMap(\.id))
            .group(.or) { pending in
                pending.filter(\.$retryAfter <= now)
                pending.group(.and) { $0.filter(\.$state == .draft).filter(\.$approvedAt != nil) }
            }
            .first() != nil
    }

    // MARK: One connection

    /// One connection's run, as named steps: load its context, plan, open the run, hold back who waits
    /// for a retry, write to the target, and record the outcome.
    private func run(_ connection: ConnectionModel, fetch: Fetch, full: Bool, dryRun: Bool, timeZone: TimeZone) async throws -> RunReport {
        let connectionID = try connection.requireID()
        let rules: ConnectionRules
        do { rules = try connection.connectionRules() } catch {
            return try await recordFailure(connection, full: full, dryRun: dryRun, startedAt: fetch.startedAt,
                                           message: "the connection's rules cannot be read: \(error)")
        }
        let context = try await loadContext(connectionID, rules: rules, listing: fetch.listing, people: fetch.employees.map(\.id))
        try await closeInterrupted(connectionID, at: fetch.startedAt)
        let sharing = try await observeSharing(connection, rules: rules, fetch: fetch, dryRun: dryRun)
        let unshared = sharing.neverShared(of: rules.policy.requiredAttributes)
        guard unshared.isEmpty else {
            return try await recordFailure(connection, full: full, dryRun: dryRun, startedAt: fetch.startedAt,
                                           message: Self.blockedNotice(unshared))
        }
        let plan = Planner(rules: rules).plan(PlanInput(links: context.links, employees: fetch.employees, listing: fetch.listing,
                                                        now: fetch.startedAt, timeZone: timeZone, approved: context.approved,
                                                        brakeReleased: context.released != nil, linkCounts: context.linkCounts,
                                                        withheld: Set(sharing.withheld.keys)))
        // The SCIM app is asked only when there is something to send (not on every idle tick).
        var scim: SCIMTarget?
        if connection.targetKind == .scim, !dryRun, plan.operations.contains(where: { $0.kind != .hold }) {
            do { scim = try await scimTarget(connection) } catch {
                return try await recordFailure(connection, full: full, dryRun: dryRun, startedAt: fetch.startedAt,
                                               message: "The SCIM app cannot be reached: \(ErrorText.explain(error))")
            }
        }
        let run = RunModel(connectionID: connectionID, full: full, dryRun: dryRun, startedAt: fetch.startedAt)
        run.personioRequests = fetch.requests
        try await run.save(on: database)
        let runID = try run.requireID()
        try await recordSkips(plan.skipped, runID: runID)
        let (operations, waiting) = dryRun ? (plan.operations, [])
            : try await holdBackWaiting(plan.operations, context: context, runID: runID, at: fetch.startedAt)
        let endpoints = dryRun ? [] : try await WebhookOutbox.endpoints(of: connectionID, on: database)
        let failed: Int
        if dryRun {
            try await recordPreview(plan.operations, runID: runID)
            failed = 0
        } else {
            failed = try await write(operations, to: scim, connection: connection, rules: rules, context: context, runID: runID,
                                     endpoints: endpoints, at: fetch.startedAt)
        }
        let outcome = RunOutcome(connection: connection, run: run, plan: plan, operations: operations, waiting: waiting.count,
                                 failed: failed, released: context.released, sharing: sharing, timeZone: timeZone)
        return try await record(outcome, fetch: fetch, endpoints: endpoints)
    }

    /// What a run plans against: the connection's rules, its links (every link for a full listing, to
    /// find who vanished; only the listed people's and the counts for an incremental one, since loading
    /// every link each minute would dominate a tick), the approved drafts and a released held batch.
    struct RunContext {
        var rules: ConnectionRules
        var rows: [Int: LinkModel]
        var links: [Int: Link]
        var linkCounts: PlanInput.LinkCounts?
        var approved: Set<Int>
        var released: HeldBatchModel?
    }

    func loadContext(_ connectionID: UUID, rules: ConnectionRules, listing: PlanInput.Listing, people: [Int]) async throws -> RunContext {
        let rows: [LinkModel]
        var linkCounts: PlanInput.LinkCounts?
        if case .incremental = listing {
            var loaded: [LinkModel] = []
            for ids in people.chunks(of: 500) {
                loaded += try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID)
                    .filter(\.$personioID ~~ Array(ids)).all()
            }
            rows = loaded
            linkCounts = try await self.linkCounts(connectionID)
        } else {
            rows = try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).all()
        }
        var rowsByPerson: [Int: LinkModel] = [:]
        var links: [Int: Link] = [:]
        rowsByPerson.reserveCapacity(rows.count)
        links.reserveCapacity(rows.count)
        for row in rows {
            rowsByPerson[row.personioID] = row
            links[row.personioID] = try row.link
        }
        let released = try await HeldBatchModel.query(on: database).filter(\.$connection.$id == connectionID)
            .filter(\.$status == .released).first()
        let approved = rules.policy.requiresApproval ? Set(rows.lazy.filter { $0.approvedAt != nil }.map(\.personioID)) : []
        return RunContext(rules: rules, rows: rowsByPerson, links: links, linkCounts: linkCounts, approved: approved, released: released)
    }

    /// How many of the connection's people are active, and linked at all (for the seat limit and the brake).
    func linkCounts(_ connectionID: UUID) async throws -> PlanInput.LinkCounts {
        PlanInput.LinkCounts(
            active: try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$state == .active).count(),
            linked: try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$state != .deleted).count())
    }

    /// A run that was interrupted (its instance stopped) is closed before the next one starts.
    private func closeInterrupted(_ connectionID: UUID, at date: Date) async throws {
        try await RunModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$status == .running)
            .set(\.$status, to: .failed).set(\.$error, to: "interrupted: the instance running it stopped; this run continues its work")
            .set(\.$finishedAt, to: date).update()
    }

    /// People whose last attempt failed wait out their backoff (recorded as skipped, with the reason);
    /// a later run tries them again. The operations to carry out now, and the waiting records.
    private func holdBackWaiting(_ planned: [SyncEngine.Operation], context: RunContext, runID: UUID, at date: Date) async throws
        -> (operations: [SyncEngine.Operation], waiting: [RunOperationModel]) {
        var operations = planned
        var waiting: [RunOperationModel] = []
        operations.removeAll { operation in
            guard let row = context.rows[operation.personioID], let retry = row.retryAfter, retry > date else { return false }
            let record = Self.record(operation, runID: runID, outcome: .skipped)
            record.reason = "waiting until \(retry.formatted(.iso8601)) to retry: \(row.lastError ?? "the last attempt failed")"
            record.errorCode = row.lastErrorCode
            waiting.append(record)
            return true
        }
        try await BulkInsert.operations(waiting, on: database)
        return (operations, waiting)
    }

    /// Everyone the plan leaves alone, with why ("starts 2027-03-01, more than 7 days away", "not in
    /// scope: …"): a run that sends nobody says whom it skipped instead of "nothing to do".
    private func recordSkips(_ skipped: [Skip], runID: UUID) async throws {
        for chunk in skipped.chunks(of: batchSize) {
            try await BulkInsert.operations(chunk.map {
                RunOperationModel(runID: runID, personioID: $0.personioID, kind: .skip, reason: $0.reason, outcome: .skipped, changedFields: [])
            }, on: database)
        }
    }

    /// A preview records what would be done and changes nothing.
    private func recordPreview(_ operations: [SyncEngine.Operation], runID: UUID) async throws {
        for chunk in operations.chunks(of: batchSize) {
            try await BulkInsert.operations(chunk.map { Self.record($0, runID: runID, outcome: $0.kind == .hold ? .held : .planned) }, on: database)
        }
    }

    /// Writes the operations to the connection's target, batch by batch; how many failed.
    private func write(_ operations: [SyncEngine.Operation], to scim: SCIMTarget?, connection: ConnectionModel, rules: ConnectionRules,
                       context: RunContext, runID: UUID, endpoints: [WebhookEndpointModel], at date: Date) async throws -> Int {
        let connectionID = try connection.requireID()
        // Many people new to the app (a first sync), or an app that cannot search (no filter support):
        // read its users once and correlate locally instead of searching per person.
        if let scim, !scim.searches
            || operations.count(where: { context.rows[$0.personioID]?.targetID == nil && $0.kind != .hold }) >= Self.directoryMinimum {
            do { try await scim.loadDirectory() } catch {
                logger.warning("reading the SCIM app's users failed; searching per person", metadata: ["error": "\(error)"])
            }
        }
        let writer: any TargetWriter = scim.map { SCIMWriter(target: $0) } ?? FeedWriter(storesFields: rules.storesFields)
        let batch = BatchContext(database: database, connectionID: connectionID, runID: runID, rows: context.rows, endpoints: endpoints, date: date)
        var failed = 0
        for (number, chunk) in operations.chunks(of: batchSize).enumerated() {
            if let crashAfterBatches, number >= crashAfterBatches { throw SyncError.simulatedCrash }
            failed += try await writer.write(chunk, batch: batch)
            progress?(.applying(connection: connection.name, done: min((number + 1) * batchSize, operations.count), total: operations.count))
        }
        return failed
    }

    /// What a run did, for `record`.
    struct RunOutcome {
        var connection: ConnectionModel
        var run: RunModel
        var plan: Plan
        /// The operations carried out (a preview's: those planned).
        var operations: [SyncEngine.Operation]
        var waiting: Int
        var failed: Int
        var released: HeldBatchModel?
        var sharing: SharedAttributes
        var timeZone: TimeZone
    }

    /// Records the run: its counts, the held batch, its status and error; then the connection's state
    /// and the run's webhooks. A preview changes nothing but the run's record.
    private func record(_ outcome: RunOutcome, fetch: Fetch, endpoints: [WebhookEndpointModel]) async throws -> RunReport {
        let (connection, run, plan, failed) = (outcome.connection, outcome.run, outcome.plan, outcome.failed)
        let connectionID = try connection.requireID()
        let runID = try run.requireID()
        var counts: [String: Int] = [:]
        for operation in outcome.operations { counts[operation.kind.rawValue, default: 0] += 1 }
        if failed > 0 { counts["failed"] = failed }
        if outcome.waiting > 0 { counts["waiting"] = outcome.waiting }
        let held = plan.brake?.held == true
        if !run.dryRun {
            try await settleHeldBatches(connectionID, runID: runID, released: outcome.released, brake: held ? plan.brake : nil)
        }
        try run.setOperationCounts(counts)
        run.skipped = plan.skipped.count
        run.status = .outcome(held: held, attempted: outcome.operations.count(where: { $0.kind != .hold }), failed: failed)
        run.error = fetch.incompleteReason.map { "Personio's listing was incomplete, so nobody was archived or deleted: \($0)" }
            ?? (failed > 0 ? "\(failed) of \(outcome.operations.count) operations failed; each is explained "
                             + "in the run's operations and retried later" : nil)
            ?? (outcome.sharing.withheld.isEmpty ? nil : Self.withheldNotice(outcome.sharing, timeZone: outcome.timeZone))
        let finished = now()
        run.finishedAt = finished
        try await run.save(on: database)
        let report = RunReport(runID: runID, connectionID: connectionID, full: run.full, dryRun: run.dryRun, status: run.status, counts: counts,
                               skipped: plan.skipped.count, personioRequests: fetch.requests, brake: plan.brake?.message,
                               error: run.error, startedAt: fetch.startedAt, finishedAt: finished)
        if !run.dryRun {
            let recovered = connection.lastError != nil && failed == 0
            connection.lastError = failed > 0 ? run.error : nil
            connection.nextRunAt = finished.addingTimeInterval(TimeInterval(connection.incrementalInterval))
            try await connection.save(on: database)
            // A run that did nothing is not announced: with a tick a minute that would be 1,440 events a day.
            var events = counts.isEmpty && run.status != .held ? [] : [WebhookEvent.run(report)]
            if recovered { events.append(.connection("connection.recovered", connectionID: connectionID, error: nil)) }
            try await WebhookOutbox.enqueue(events, to: endpoints, at: finished, on: database)
        }
        logger.info("run finished", metadata: ["connection": "\(connectionID)", "run": "\(runID)", "counts": "\(counts)",
                                               "full": "\(run.full)", "dry_run": "\(run.dryRun)"])
        return report
    }

    /// A released batch counts once (carried out now, or no longer needed); a run that holds again
    /// brings the one open batch of the connection up to date.
    private func settleHeldBatches(_ connectionID: UUID, runID: UUID, released: HeldBatchModel?, brake: BrakeSummary?) async throws {
        if let released {
            released.status = .applied
            try await released.save(on: database)
        }
        guard let brake else { return }
        let batch = try await HeldBatchModel.query(on: database).filter(\.$connection.$id == connectionID)
            .filter(\.$status == .held).first()
            ?? HeldBatchModel(connectionID: connectionID, runID: runID, removals: 0, linked: 0)
        batch.$run.id = runID
        batch.removals = brake.removals
        batch.linked = brake.linked
        try await batch.save(on: database)
    }

    static func record(_ operation: SyncEngine.Operation, runID: UUID, outcome: RunOperationModel.Outcome) -> RunOperationModel {
        RunOperationModel(runID: runID, personioID: operation.personioID,
                          kind: RecordedOperationKind(operation),
                          reason: operation.reason, outcome: outcome, changedFields: operation.changedFields)
    }

    private func recordFailure(_ connection: ConnectionModel, full: Bool, dryRun: Bool, startedAt: Date, message: String) async throws -> RunReport {
        let connectionID = try connection.requireID()
        let run = RunModel(connectionID: connectionID, full: full, dryRun: dryRun, startedAt: startedAt)
        run.status = .failed
        run.error = message
        let finished = now()
        run.finishedAt = finished
        try await run.save(on: database)
        if !dryRun {
            let newlyFailed = connection.lastError == nil
            connection.lastError = message
            connection.nextRunAt = finished.addingTimeInterval(TimeInterval(connection.incrementalInterval))
            try await connection.save(on: database)
            if newlyFailed {
                try await WebhookOutbox.enqueue([.connection("connection.failed", connectionID: connectionID, error: message)],
                                                to: try await WebhookOutbox.endpoints(of: connectionID, on: database), at: finished, on: database)
            }
        }
        return RunReport(runID: try run.requireID(), connectionID: connectionID, full: full, dryRun: dryRun, status: .failed, counts: [:],
                         skipped: 0, personioRequests: 0, brake: nil, error: message, startedAt: startedAt, finishedAt: finished)
    }

}

public enum SyncError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    /// Another run of the connection is under way.
    case busy
    /// Only from the test hook `crashAfterBatches`.
    case simulatedCrash

    public var description: String {
        switch self {
        case .notFound(let what): "no such \(what)"
        case .busy: "the connection is syncing right now; try again when that run has finished"
        case .simulatedCrash: "the run stopped as if its process had died"
        }
    }
}

extension Array {
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(size, 1)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
