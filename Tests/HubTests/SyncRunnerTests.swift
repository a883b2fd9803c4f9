import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor

/// Syncs against a live sandbox into the `feed` target, on SQLite and (in CI) PostgreSQL.
@Suite("Sync runs end to end", .serialized)
struct SyncRunnerTests {
    /// 2026-11-22 10:00 in Berlin.
    static let start = Date(timeIntervalSince1970: 1_795_338_000)

    func withFixture(_ database: HubConfiguration.Database, employees: Int = 12,
                     _ body: (SyncFixture) async throws -> Void) async throws {
        let clock = ManualClock(Self.start)
        try await withSandbox(employees: employees, seed: 11, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                try await body(try await SyncFixture.make(app, sandbox, clock: clock))
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func aFirstSyncFillsTheFeedAndANextTickWithNothingChangedCostsOneRequest(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database) { fixture in
            let connection = try await fixture.connection(.timeTracking)
            // when
            let first = try await fixture.sync(connection)
            // then every person sent is linked once and appears once in the feed
            #expect(first.status == .succeeded)
            #expect(first.full)
            let created = first.counts["create"] ?? 0
            #expect(created > 0)
            #expect(try await fixture.links(connection).count == created)
            #expect(try await fixture.changes(connection).count == created)
            #expect(first.personioRequests == 2, "the token and one page")

            // when nothing changed, the next tick is incremental, plans nothing and asks Personio once
            fixture.clock.advance(by: 60)
            let second = try await fixture.sync(connection)
            #expect(!second.full)
            #expect(second.counts.isEmpty)
            #expect(second.personioRequests == 1)
            #expect(try await fixture.changes(connection).count == created)
        }
    }

    @Test(arguments: TestDatabases.all)
    func timeTrackingFollowsAWorkingLifeThroughTheFeed(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database) { fixture in
            let connection = try await fixture.connection(.timeTracking)
            let soon = try await fixture.hire("Sam", "Soon", startingIn: 7)
            let later = try await fixture.hire("Lea", "Later", startingIn: 10)
            _ = try await fixture.sync(connection)
            var links = try await fixture.links(connection)
            // a start exactly 7 days away is sent as archived; 10 days away is not sent yet
            #expect(links[soon]?.state == .archived)
            #expect(links[later] == nil)

            // the start date is reached (the first run of a new day is a full one)
            fixture.clock.advance(by: 7 * 86_400)
            let started = try await fixture.sync(connection)
            #expect(started.full)
            links = try await fixture.links(connection)
            #expect(links[soon]?.state == .active)
            #expect(links[later]?.state == .archived, "3 days away now")
            #expect(try await fixture.changes(connection, of: soon).last?.state == .active)

            // a name change follows on the next tick, naming the field
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(soon)", ["last_name": "Married"]).status == 200)
            fixture.clock.advance(by: 60)
            let renamed = try await fixture.sync(connection)
            #expect(!renamed.full)
            #expect(renamed.counts == ["update": 1])
            let change = try #require(try await fixture.changes(connection, of: soon).last)
            #expect(change.changedFields == ["last_name"])
            #expect(change.fields.contains("Married"))

            // termination archives
            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(soon)/terminate",
                                                    ["termination_date": fixture.today(plus: -1)]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(connection)
            #expect(try await fixture.links(connection)[soon]?.state == .archived)
            let archiveReason = try await RunOperationModel.query(on: fixture.app.db).filter(\.$personioID == soon)
                .filter(\.$kind == "archive").first()?.reason
            #expect(archiveReason?.hasPrefix("archived:") == true)

            // rehire (a new hire date after the termination) restores
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(soon)",
                                                    ["status": "active", "hire_date": fixture.today()]).status == 200)
            fixture.clock.advance(by: 60)
            let rehired = try await fixture.sync(connection)
            #expect(rehired.counts["restore"] == 1)
            #expect(try await fixture.links(connection)[soon]?.state == .active)

            // vanishing is only noticed by a full listing
            #expect(try await fixture.sandbox.admin(.DELETE, "/sandbox/employees/\(soon)").status == 204)
            fixture.clock.advance(by: 60)
            let incremental = try await fixture.sync(connection)
            #expect(incremental.counts["archive"] == nil)
            let reconcile = try await fixture.sync(connection, full: true)
            #expect(reconcile.counts["archive"] == 1)
            #expect(try await fixture.links(connection)[soon]?.state == .archived)
        }
    }

    @Test(arguments: TestDatabases.all)
    func theBrakeHoldsAMassTermination(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database, employees: 40) { fixture in
            let connection = try await fixture.connection(.timeTracking)
            _ = try await fixture.sync(connection)
            let active = try await fixture.links(connection).filter { $0.value.state == .active }.map(\.key).sorted()
            #expect(active.count >= 20)
            for id in active.prefix(15) {
                #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(id)/terminate",
                                                        ["termination_date": fixture.today(plus: -1)]).status == 200)
            }
            fixture.clock.advance(by: 60)
            let run = try await fixture.sync(connection)
            #expect(run.status == .held)
            #expect(run.counts["hold"] == 15)
            #expect(run.counts["archive"] == nil)
            #expect(run.brake?.contains("15 of") == true)
            #expect(try await HeldBatchModel.query(on: fixture.app.db).filter(\.$status == .held).count() == 1)
            let stillActive = try await fixture.links(connection).filter { active.prefix(15).contains($0.key) }
            #expect(stillActive.values.allSatisfy { $0.state == .active })
        }
    }

    @Test(arguments: TestDatabases.all)
    func aTruncatedPersonioPageNeverArchivesAnyone(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database, employees: 150) { fixture in
            let connection = try await fixture.connection(.survey)  // deletes whoever is not returned
            _ = try await fixture.sync(connection)
            let before = try await fixture.links(connection)
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["truncate_next_pages": 2]).status == 200)
            fixture.clock.advance(by: 60)
            let run = try await fixture.sync(connection, full: true)
            #expect(run.counts["delete"] == nil)
            #expect(run.counts["archive"] == nil)
            #expect(run.error?.contains("incomplete") == true)
            let after = try await fixture.links(connection)
            #expect(after.mapValues(\.state) == before.mapValues(\.state))
        }
    }

    @Test(arguments: TestDatabases.all)
    func aRunKilledMidwayIsFinishedByTheNextWithNoDuplicateAndNothingLost(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database, employees: 30) { fixture in
            let connection = try await fixture.connection(.timeTracking)
            // when the process dies after two batches of five were written
            await #expect(throws: SyncError.simulatedCrash) {
                try await fixture.runner(crashAfterBatches: 2, batchSize: 5).run(connectionID: connection)
            }
            #expect(try await fixture.links(connection).count == 10)
            // then the next run finishes the work
            let next = try await fixture.runner(batchSize: 5).run(connectionID: connection)
            #expect(next.status == .succeeded)
            let links = try await fixture.links(connection)
            let changes = try await fixture.changes(connection)
            #expect(changes.count == links.count, "one change per person: nothing created twice")
            #expect(Set(changes.map(\.personioID)) == Set(links.keys))
            #expect((next.counts["create"] ?? 0) == links.count - 10)
            let interrupted = try await RunModel.query(on: fixture.app.db).filter(\.$status == .failed).all()
            #expect(interrupted.count == 1)
            #expect(interrupted.first?.error?.contains("interrupted") == true)
            // and a third run has nothing left to do
            fixture.clock.advance(by: 60)
            #expect(try await fixture.sync(connection).counts.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.all)
    func aWrongSecretFailsTheRunWithAnExplanation(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database) { fixture in
            let connection = try await fixture.connection(.timeTracking)
            let source = try #require(try await SourceModel.find(fixture.sourceID, on: fixture.app.db))
            source.sealedClientSecret = try fixture.vault.seal("wrong-secret", context: SyncRunner.secretContext(source))
            try await source.save(on: fixture.app.db)
            let run = try await fixture.sync(connection)
            #expect(run.status == .failed)
            #expect(run.error?.contains("wrong-secret") == false)
            #expect(run.error?.isEmpty == false)
            #expect(try await ConnectionModel.find(connection, on: fixture.app.db)?.lastError == run.error)
        }
    }

    @Test(arguments: TestDatabases.all)
    func surveyServiceDeskAndOnboardingFollowTheirSeedsThroughTheFeed(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database) { fixture in
            let survey = try await fixture.connection(.survey)
            let desk = try await fixture.connection(.serviceDesk)
            let onboarding = try await fixture.connection(.eorOnboarding)
            let future = try await fixture.hire("Fritz", "Future", startingIn: 20)
            let current = try await fixture.hire("Clara", "Current", startingIn: -30)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)

            // survey: not sent before the start; service desk: sent at once; onboarding: a draft awaiting approval
            #expect(try await fixture.links(survey)[future] == nil)
            #expect(try await fixture.links(desk)[future]?.state == .active)
            #expect(try await fixture.links(onboarding)[future]?.state == .draft)
            #expect(try await fixture.links(onboarding)[current]?.state == .draft)
            #expect(try await fixture.links(survey)[current]?.state == .active)

            // a department change follows in the survey, naming the field
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(current)", ["department": "Sales"]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)
            #expect(try await fixture.changes(survey, of: current).last?.changedFields == ["department"])

            // "left temporarily" (status leave): deleted in the survey — by a full listing, since an
            // incremental one never deletes — and kept by the service desk
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(current)", ["status": "leave"]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)
            #expect(try await fixture.links(survey)[current]?.state == .active)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID, full: true)
            #expect(try await fixture.links(survey)[current]?.state == .deleted)
            #expect(try await fixture.changes(survey, of: current).last?.state == .deleted)
            #expect(try await fixture.links(desk)[current]?.state == .active)

            // each listing served the three connections: 4 listings, 12 runs
            #expect(try await RunModel.query(on: fixture.app.db).count() == 12)
        }
    }

    @Test(arguments: TestDatabases.all)
    func aListingForOneConnectionDoesNotMoveAnotherConnectionsMarkPastChangesItHasNotSeen(_ database: HubConfiguration.Database) async throws {
        try await withFixture(database) { fixture in
            let tracking = try await fixture.connection(.timeTracking)
            let survey = try await fixture.connection(.survey)
            let person = try await fixture.hire("Mara", "Moved", startingIn: -10)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID, full: true)

            // the department changes; the every-minute connection runs on its own and sees it
            fixture.clock.advance(by: 600)
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(person)", ["department": "Sales"]).status == 200)
            fixture.clock.advance(by: 600)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID, connectionIDs: [tracking], full: false)
            #expect(try await fixture.changes(tracking, of: person).last?.changedFields == ["department"])
            fixture.clock.advance(by: 600)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID, connectionIDs: [tracking], full: false)

            // the survey's later incremental run still asks from its own mark and follows the change
            fixture.clock.advance(by: 600)
            let report = try await fixture.runner().run(sourceID: fixture.sourceID, connectionIDs: [survey], full: false).first
            #expect(report?.full == false)
            #expect(try await fixture.changes(survey, of: person).last?.changedFields == ["department"])
            #expect(try await fixture.links(survey)[person]?.fields?.contains("Sales") == true)
        }
    }

    @Test func aRunReportsItsProgressPageByPageAndBatchByBatch() async throws {
        try await withFixture(.sqlite(path: ":memory:"), employees: 30) { fixture in
            let connection = try await fixture.connection(.serviceDesk)
            let events = LogHandlerTests.Lines()
            var runner = fixture.runner(batchSize: 7)
            runner.progress = { events.append("\($0)") }
            let report = try await runner.run(connectionID: connection, full: true)
            let created = report.counts["create"] ?? 0
            #expect(created > 7)
            #expect(events.all.contains { $0.hasPrefix("listing(employees: ") })
            #expect(events.all.filter { $0.hasPrefix("applying(") }.count == (created + 6) / 7)
            #expect(events.all.last == "applying(connection: \"\(Preset.serviceDesk.title)\", done: \(created), total: \(created))")
        }
    }
}
