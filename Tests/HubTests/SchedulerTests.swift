import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor

@Suite("Scheduling with leases", .serialized)
struct SchedulerTests {
    /// A second hub instance: on PostgreSQL its own application and connection pool on the same
    /// database; SQLite in memory cannot be shared, so there it is a second scheduler on the same one.
    func withSecondInstance<T>(_ database: HubConfiguration.Database, _ first: Application,
                               _ body: (any Database) async throws -> T) async throws -> T {
        guard case .postgres = database else { return try await body(first.db) }
        let second = try await Application.make(.testing)
        do {
            try HubDatabase.configure(second, database)
            let result = try await body(second.db)
            try await second.asyncShutdown()
            return result
        } catch {
            try? await second.asyncShutdown()
            throw error
        }
    }

    @Test(arguments: TestDatabases.all)
    func twoInstancesRunEachDueConnectionOnceAndTakeOverADeadInstancesLease(_ database: HubConfiguration.Database) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 8, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app, own in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                var connections: [UUID] = []
                for preset in [Preset.timeTracking, .survey, .serviceDesk] { connections.append(try await fixture.connection(preset)) }
                try await withSecondInstance(own, app) { secondDatabase in
                    let runnerB = SyncRunner(database: secondDatabase, vault: fixture.vault, clients: fixture.clients, now: clock.provider,
                                             scim: NoSCIMTransport())
                    let a = Scheduler(database: app.db, runner: fixture.runner(), owner: "instance-a", now: clock.provider)
                    let b = Scheduler(database: secondDatabase, runner: runnerB, owner: "instance-b", now: clock.provider)

                    // when both instances pass over the due connections at the same time
                    async let fromA = a.runDue()
                    async let fromB = b.runDue()
                    let reports = try await fromA + fromB
                    // then each connection ran exactly once
                    #expect(reports.count == 3)
                    #expect(Set(reports.map(\.connectionID)) == Set(connections))
                    #expect(try await RunModel.query(on: app.db).count() == 3)
                    #expect(try await ConnectionModel.query(on: app.db).filter(\.$leaseOwner != nil).count() == 0, "leases released")

                    // nothing is due again before its interval
                    #expect(try await a.runDue().isEmpty)

                    // when instance A claims the due connections and dies before running them
                    clock.advance(by: 61)
                    let claimed = try await a.claim()
                    #expect(claimed.count == 2, "time tracking and service desk are due every minute; the survey every 12 h")
                    // then B leaves them alone while A's lease lasts…
                    #expect(try await b.runDue().isEmpty)
                    // …and takes them over once it has expired
                    clock.advance(by: 31)
                    let takenOver = try await b.runDue()
                    #expect(Set(takenOver.map(\.connectionID)) == Set(claimed.map(\.id)))
                    #expect(try await RunModel.query(on: app.db).count() == 5)
                }
            }
        }
    }

    @Test func pausedConnectionsAreNotRun() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 4, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let connection = try await fixture.connection(.timeTracking)
                try await ConnectionModel.query(on: app.db).filter(\.$id == connection).set(\.$paused, to: true).update()
                let scheduler = Scheduler(database: app.db, runner: fixture.runner(), owner: "only", now: clock.provider)
                #expect(try await scheduler.runDue().isEmpty)
                #expect(try await RunModel.query(on: app.db).count() == 0)
            }
        }
    }
}

@Suite("Runs started by hand")
struct ManualRunTests {
    @Test func aRunByHandWaitsForNoOneAndIsRefusedWhileTheConnectionIsSyncing() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 4, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let connection = try await fixture.connection(.timeTracking)
                // a scheduler instance holds the lease
                let scheduler = Scheduler(database: app.db, runner: fixture.runner(), owner: "busy", now: clock.provider)
                #expect(try await scheduler.claim().count == 1)
                await #expect(throws: SyncError.busy) { try await fixture.runner().runNow(connectionID: connection) }
                // a dry run changes nothing, so it may run alongside
                #expect(try await fixture.runner().runNow(connectionID: connection, dryRun: true).dryRun)
                // once the lease has expired the run by hand goes ahead and gives the lease back
                clock.advance(by: 31)
                #expect(try await fixture.runner().runNow(connectionID: connection).status == .succeeded)
                #expect(try await ConnectionModel.find(connection, on: app.db)?.leaseOwner == nil)
            }
        }
    }

    @Test func aStoppedSchedulerFinishesTheRunUnderWayAndReleasesItsLease() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 8, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let connection = try await fixture.connection(.timeTracking)
                // the stop arrives while the run is applying its operations
                let box = SchedulerBox()
                var runner = fixture.runner(batchSize: 2)
                runner.progress = { event in
                    if case .applying = event, let scheduler = box.scheduler { Task { await scheduler.stop() } }
                }
                let scheduler = Scheduler(database: app.db, runner: runner, owner: "stopping", now: clock.provider)
                box.scheduler = scheduler
                await scheduler.run(every: .milliseconds(5))  // returns once stopped

                let runs = try await RunModel.query(on: app.db).filter(\.$connection.$id == connection).all()
                #expect(runs.count == 1)
                #expect(runs.first?.status == .succeeded)
                #expect(try await ConnectionModel.find(connection, on: app.db)?.leaseOwner == nil, "lease released")
            }
        }
    }
}

/// Lets the runner's progress callback reach the scheduler made after it.
final class SchedulerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Scheduler?
    var scheduler: Scheduler? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
