import Fluent
import FluentSQL
import Foundation
@testable import Hub
import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// Many sources on one hub: runs of different sources in parallel within a bound, one listing per
/// source at a time, longest-waiting first, one Personio client (and limiter) per credential, and
/// SQLite keeping up with parallel writers.
@Suite("Scheduling many sources in parallel", .serialized)
struct FleetSchedulingTests {
    /// Sources with two connections each (time tracking and service desk, both due every minute).
    static func sources(_ fixture: SyncFixture, count: Int) async throws -> [UUID: [UUID]] {
        var made: [UUID: [UUID]] = [:]
        for number in 0..<count {
            let source = number == 0 ? fixture.sourceID
                : try await fixture.addSource("Customer \(number)", clientID: fixture.sandbox.clientId, clientSecret: fixture.sandbox.clientSecret)
            made[source] = [try await fixture.connection(.timeTracking, source: source), try await fixture.connection(.serviceDesk, source: source)]
        }
        return made
    }

    @Test(arguments: TestDatabases.all)
    func parallelRunsStayWithinTheBoundAndNeverListOneSourceTwiceAtOnce(_ database: HubConfiguration.Database) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 6, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app, own in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let sources = try await Self.sources(fixture, count: 6)
                // every Personio answer takes a while, so runs overlap
                #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["latency_ms": 40]).status == 200)
                let recorder = RunRecorder()
                try await SchedulerTests().withSecondInstance(own, app) { secondDatabase in
                    let runnerB = SyncRunner(database: secondDatabase, vault: fixture.vault, clients: fixture.clients, now: clock.provider,
                                             scim: NoSCIMTransport())
                    let a = Scheduler(database: app.db, runner: fixture.runner(), owner: "instance-a", now: clock.provider, concurrency: 2,
                                      observer: { recorder.record($0, by: "instance-a") })
                    let b = Scheduler(database: secondDatabase, runner: runnerB, owner: "instance-b", now: clock.provider, concurrency: 2,
                                      observer: { recorder.record($0, by: "instance-b") })
                    // when both instances schedule until every source has run once (the clock stands still, so once each)
                    let loops = [Task { await a.run(every: .milliseconds(10)) }, Task { await b.run(every: .milliseconds(10)) }]
                    await recorder.waitUntilFinished(sources.count)
                    await a.stop()
                    await b.stop()
                    for loop in loops { await loop.value }
                }
                // then no source was listed twice at once, and each instance kept within its bound…
                #expect(recorder.overlaps.isEmpty, "a source ran twice at once: \(recorder.overlaps)")
                #expect(recorder.mostInFlight["instance-a", default: 0] <= 2)
                #expect(recorder.mostInFlight["instance-b", default: 0] <= 2)
                // …runs did go in parallel…
                #expect(recorder.mostInFlightOverall >= 2, "runs of different sources went one after another")
                // …and both instances took a share
                #expect(Set(recorder.started.map(\.instance)) == ["instance-a", "instance-b"])
                // …every source ran exactly once, with both of its connections on one listing
                #expect(recorder.started.count == sources.count)
                #expect(Set(recorder.started.map(\.source)) == Set(sources.keys))
                for start in recorder.started { #expect(Set(start.connections) == Set(sources[start.source] ?? [])) }
                #expect(try await RunModel.query(on: app.db).count() == 12)
                #expect(try await ConnectionModel.query(on: app.db).filter(\.$leaseOwner != nil).count() == 0, "leases given back")
                #expect(try await HubInstanceModel.query(on: app.db).count() == 0, "stopped instances leave the health list")
            }
        }
    }

    @Test func dueSourcesAreTakenLongestWaitingFirstSoNobodyStarves() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 2, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                // six sources with one connection each, due for different lengths of time; one never ran
                var byWait: [String: UUID] = [:]
                let waits: [(String, TimeInterval?)] = [("10s", 10), ("50s", 50), ("never", nil), ("30s", 30), ("40s", 40), ("20s", 20)]
                for (index, (name, wait)) in waits.enumerated() {
                    let source = index == 0 ? fixture.sourceID
                        : try await fixture.addSource(name, clientID: sandbox.clientId, clientSecret: sandbox.clientSecret)
                    let connection = try await fixture.connection(.timeTracking, source: source)
                    try await ConnectionModel.query(on: app.db).filter(\.$id == connection)
                        .set(\.$nextRunAt, to: wait.map { clock.now.addingTimeInterval(-$0) }).update()
                    byWait[name] = connection
                }
                let scheduler = Scheduler(database: app.db, runner: fixture.runner(), owner: "fair", now: clock.provider, concurrency: 2)
                let lease = Lease(database: app.db, owner: "fair", now: clock.provider)
                var order: [String] = []
                // when the scheduler takes two at a time and each run moves its connection a minute on
                for _ in 0..<3 {
                    let claimed = try await scheduler.claim()
                    #expect(claimed.count == 2)
                    order += claimed.map { claim in byWait.first { $0.value == claim.id }?.key ?? "?" }
                    try await ConnectionModel.query(on: app.db).filter(\.$id ~~ claimed.map(\.id))
                        .set(\.$nextRunAt, to: clock.now.addingTimeInterval(60)).update()
                    try await lease.release(claimed.map(\.id))
                    // a connection that just fell due waits behind those that waited longer
                    if order.count == 2 { clock.advance(by: 5) }
                }
                // then they ran longest-waiting first, the one that never ran before all
                #expect(order == ["never", "50s", "40s", "30s", "20s", "10s"])
                #expect(try await scheduler.claim().isEmpty)
            }
        }
    }

    @Test func sourcesSharingACredentialShareOneClientAndItsLimits() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 4, seed: 3, limits: true, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                #expect(try await sandbox.admin(.POST, "/sandbox/credentials", [
                    "client_id": "second-customer", "client_secret": "second-secret-0123", "name": "Second",
                ]).status == 201)
                // three sources on the workspace's credential, one on another
                var sources = [fixture.sourceID]
                for number in 1...2 {
                    sources.append(try await fixture.addSource("Same \(number)", clientID: sandbox.clientId, clientSecret: sandbox.clientSecret))
                }
                sources.append(try await fixture.addSource("Other", clientID: "second-customer", clientSecret: "second-secret-0123"))
                for source in sources { _ = try await fixture.connection(.timeTracking, source: source) }
                let made = MadeClients()
                let http = sandbox.http
                let clients = PersonioClients { baseURL, credentials in
                    made.add(credentials.clientID)
                    return PersonioClient(configuration: PersonioConfiguration(baseURL: baseURL, credentials: credentials),
                                          transport: AsyncHTTPClientTransport(client: http))
                }
                var runner = SyncRunner(database: app.db, vault: fixture.vault, clients: clients, now: clock.provider,
                                        scim: NoSCIMTransport())
                runner.metrics = HubMetrics()
                let scheduler = Scheduler(database: app.db, runner: runner, owner: "shared", now: clock.provider, concurrency: 4)
                // when all four sources run at once
                let reports = try await scheduler.runDue()
                // then each ran, and the three on one credential used one client (one token, one limiter)
                #expect(reports.count == 4)
                #expect(reports.allSatisfy { $0.status == .succeeded }, "\(reports.map(\.error))")
                #expect(made.counts == [sandbox.clientId: 1, "second-customer": 1])
                #expect(runner.metrics?.render(now: clock.now).contains("rollcall_personio_rate_limited_total 0") == true)
            }
        }
    }

    @Test func sqliteOnFileKeepsUpWithParallelRunsWithoutLockErrors() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hub.sqlite").path
        try await withSandbox(employees: 120, seed: 5, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: path)) { app in
                // the file is in write-ahead-log mode: its header's read and write versions are 2
                let header = try #require(FileManager.default.contents(atPath: path))
                #expect(Array(header[18...19]) == [2, 2])
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let sources = try await Self.sources(fixture, count: 8)
                // small batches: many transactions from eight first syncs writing at once
                let scheduler = Scheduler(database: app.db, runner: fixture.runner(batchSize: 25), owner: "wal", now: clock.provider,
                                          concurrency: 8)
                let reports = try await scheduler.runDue()
                #expect(reports.count == 16)
                #expect(reports.allSatisfy { $0.status == .succeeded }, "\(reports.compactMap(\.error))")
                #expect(!reports.contains { ($0.error ?? "").localizedCaseInsensitiveContains("locked") })
                // every source's connections linked the same people as the first source's
                let first = try #require(sources[fixture.sourceID])
                let perSource = try await LinkModel.query(on: app.db).filter(\.$connection.$id ~~ first).count()
                #expect(perSource > 100)
                #expect(try await LinkModel.query(on: app.db).count() == 8 * perSource)
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func idleRunsGoAfterADayAndEverythingElseStays(_ database: HubConfiguration.Database) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 2, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let busy = try await fixture.connection(.timeTracking)
                let quiet = try await fixture.connection(.serviceDesk)
                func run(_ connection: UUID, hoursAgo: Double, _ change: (RunModel) -> Void = { _ in }) async throws -> UUID {
                    let run = RunModel(connectionID: connection, full: false, dryRun: false,
                                       startedAt: clock.now.addingTimeInterval(-hoursAgo * 3600))
                    run.status = .succeeded
                    change(run)
                    try await run.save(on: app.db)
                    return try run.requireID()
                }
                let oldIdle = try await run(busy, hoursAgo: 30)
                let oldCreate = try await run(busy, hoursAgo: 29) { $0.counts = #"{"create":1}"# }
                let oldSkip = try await run(busy, hoursAgo: 28) { $0.skipped = 2 }
                let oldFailed = try await run(busy, hoursAgo: 27) { $0.status = .failed; $0.error = "Personio unreachable" }
                let oldPreview = try await run(busy, hoursAgo: 26) { $0.dryRun = true }
                let recentIdle = try await run(busy, hoursAgo: 2)
                // the quiet connection's only runs are old and idle: its latest stays
                let quietOlder = try await run(quiet, hoursAgo: 50)
                let quietLatest = try await run(quiet, hoursAgo: 40)

                let purged = try await RunRetention(database: app.db, now: clock.provider).purgeIdleRuns(chunk: 1)
                #expect(purged == 2)
                let left = Set(try await RunModel.query(on: app.db).all().compactMap(\.id))
                #expect(left == [oldCreate, oldSkip, oldFailed, oldPreview, recentIdle, quietLatest])
                #expect(!left.contains(oldIdle) && !left.contains(quietOlder))
            }
        }
    }

    @Test func theOperatorSeesEachInstanceTheBacklogAndTheLag() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 2, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                _ = try await Self.sources(fixture, count: 3)
                try await ConnectionModel.query(on: app.db).set(\.$createdAt, to: clock.now).update()
                let health = HubHealthService(database: app.db, now: clock.provider)
                // six connections never run: all waiting, none running
                var report = try await health.report()
                #expect((report.connections, report.waiting, report.running, report.paused) == (6, 6, 0, 0))
                try await health.report(instance: "hub-1", startedAt: clock.now, concurrency: 8, runsInFlight: 3, lagP50: 0.4, lagP95: 2.5)
                clock.advance(by: 30)
                try await health.report(instance: "hub-2", startedAt: clock.now, concurrency: 8, runsInFlight: 0, lagP50: nil, lagP95: nil)
                clock.advance(by: 40)
                report = try await health.report()
                #expect(report.instances.map(\.name) == ["hub-1", "hub-2"])
                #expect(report.instances.map(\.alive) == [false, true], "hub-1 was last heard of 70 s ago")
                #expect(report.instances.first?.scheduleLagP95 == 2.5)
                #expect(report.instances.first?.runsInFlight == 3)
                // an instance silent for a day is no longer shown, and housekeeping deletes its row
                clock.advance(by: 86_400 - 40)
                #expect(try await health.report().instances.map(\.name) == ["hub-2"])
                try await health.forgetGone()
                #expect(try await HubInstanceModel.query(on: app.db).all().compactMap(\.id) == ["hub-2"])
                clock.advance(by: -(86_400 - 40))
                // one run: its two connections are no longer waiting; the others have waited 70 s
                let scheduler = Scheduler(database: app.db, runner: fixture.runner(), owner: "hub-2", now: clock.provider, concurrency: 1)
                #expect(try await scheduler.runDue().count == 2)
                report = try await health.report()
                #expect(report.waiting == 4)
                #expect(report.oldestWaitingSeconds == 70, "never-run connections wait since they were made")
            }
        }
    }
}

@Suite("The hub's health for its operator", .serialized)
struct HubHealthPageTests {
    @Test func theHealthIsShownOnlyWithTheAdminTokenAsJSONAndAsAPage() async throws {
        let token = WorkspaceAPITests.adminToken
        try await WorkspaceAPITests().withHub(adminToken: token) { app, _ in
            let health = HubHealthService(database: app.db, now: { SyncRunnerTests.start })
            try await health.report(instance: "hub-a", startedAt: SyncRunnerTests.start, concurrency: 8, runsInFlight: 2, lagP50: 0.5, lagP95: 3)
            // the API: admin token only
            #expect(try await WorkspaceAPITests().call(app, .GET, "\(APIPath.hubHealth)", token: nil).status == .unauthorized)
            let reply = try await WorkspaceAPITests().call(app, .GET, "\(APIPath.hubHealth)", token: token)
            #expect(reply.status == .ok)
            let instances = try #require(reply.json["instances"] as? [[String: Any]])
            #expect(instances.first?["name"] as? String == "hub-a")
            #expect(instances.first?["runs_in_flight"] as? Int == 2)
            #expect(instances.first?["schedule_lag_p95_seconds"] as? Double == 3)
            #expect(reply.json["waiting"] as? Int == 0)
            // the page: the browser asks for the token
            try await app.testing().test(.GET, DashboardPath.operatorHealth) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers.first(name: .wwwAuthenticate)?.hasPrefix("Basic") == true)
                #expect(!response.body.string.contains("hub-a"))
            }
            var wrong = HTTPHeaders()
            wrong.basicAuthorization = BasicAuthorization(username: "operator", password: "not-the-admin-token-0000")
            try await app.testing().test(.GET, DashboardPath.operatorHealth, headers: wrong) { response in
                #expect(response.status == .unauthorized)
            }
            var right = HTTPHeaders()
            right.basicAuthorization = BasicAuthorization(username: "operator", password: token)
            try await app.testing().test(.GET, DashboardPath.operatorHealth, headers: right) { response in
                #expect(response.status == .ok)
                let page = response.body.string
                #expect(page.contains("Hub health") && page.contains("hub-a") && page.contains("2 of 8"))
                #expect(page.contains("0.5 s / 3.0 s"))
            }
        }
        try await WorkspaceAPITests().withHub(adminToken: nil) { app, _ in
            try await app.testing().test(.GET, DashboardPath.operatorHealth) { response in
                #expect(response.status == .forbidden)
                #expect(response.body.string.contains("ROLLCALL_ADMIN_TOKEN"))
            }
        }
    }
}

/// What the schedulers told: which sources ran, by whom, and whether any overlapped.
final class RunRecorder: @unchecked Sendable {
    struct Start { var source: UUID; var connections: [UUID]; var instance: String }

    private let lock = NSLock()
    private var running: [UUID: String] = [:]
    private var inFlight: [String: Int] = [:]
    private(set) var started: [Start] = []
    private(set) var overlaps: [UUID] = []
    private(set) var mostInFlight: [String: Int] = [:]
    private(set) var mostInFlightOverall = 0
    private var finished = 0
    private var waiters: [(Int, CheckedContinuation<Void, Never>)] = []

    func record(_ event: Scheduler.Event, by instance: String) {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            switch event {
            case .started(let source, let connections):
                if running[source] != nil { overlaps.append(source) }
                running[source] = instance
                started.append(Start(source: source, connections: connections, instance: instance))
                inFlight[instance, default: 0] += 1
                mostInFlight[instance] = max(mostInFlight[instance, default: 0], inFlight[instance, default: 0])
                mostInFlightOverall = max(mostInFlightOverall, running.count)
                return []
            case .finished(let source):
                running[source] = nil
                inFlight[instance, default: 0] -= 1
                finished += 1
                let due = waiters.filter { $0.0 <= finished }
                waiters.removeAll { $0.0 <= finished }
                return due.map(\.1)
            }
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once `count` runs have finished.
    func waitUntilFinished(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now: Bool = lock.withLock {
                if finished >= count { return true }
                waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// Which credentials the client factory was asked for, and how often.
final class MadeClients: @unchecked Sendable {
    private let lock = NSLock()
    private var made: [String: Int] = [:]
    func add(_ clientID: String) { lock.withLock { made[clientID, default: 0] += 1 } }
    var counts: [String: Int] { lock.withLock { made } }
}
