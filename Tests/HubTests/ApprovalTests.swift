import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Onboarding: drafts, import with a country, approval", .serialized)
struct ApprovalTests {
    struct Setup {
        let fixture: SyncFixture
        let token: String
        let onboarding: UUID
        let tracking: UUID
    }

    /// A mounted hub on `database` with an onboarding and a time-tracking connection and an API token.
    func withOnboarding(_ database: HubConfiguration.Database, employees: Int, seed: UInt64, _ body: (Setup) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: employees, seed: seed, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                try HubApp.mount(app, runner: fixture.runner())
                let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "hr", on: app.db).token
                try await body(Setup(fixture: fixture, token: token, onboarding: try await fixture.connection(.eorOnboarding),
                                     tracking: try await fixture.connection(.timeTracking)))
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func approvedDraftsAreProvisionedWithTheirCountryAndTheRestWait(_ database: HubConfiguration.Database) async throws {
        try await withOnboarding(database, employees: 12, seed: 11) { setup in
            let (fixture, app, token, api, onboarding, tracking, sandbox) = (setup.fixture, setup.fixture.app, setup.token, WorkspaceAPITests(),
                                                                             setup.onboarding, setup.tracking, setup.fixture.sandbox)
            let hire = try await fixture.hire("Nora", "New", startingIn: 30)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)

            // every person arrives as a draft, marked as coming from Personio
            let drafts = try await api.call(app, .GET, "\(APIPath.connectionDrafts(onboarding))", token: token)
            let listed = try #require(drafts.json["data"] as? [[String: Any]])
            #expect(listed.count == (try await fixture.links(onboarding)).count)
            #expect(listed.allSatisfy { ($0["fields"] as? [String: String])?["source"] == "personio" })
            let ids = listed.compactMap { $0["personio_id"] as? Int }
            let picked = [ids[0], hire]

            // bad input names the field and approves nobody
            let path = "\(APIPath.connectionApprovals(onboarding))"
            let noCountry = try await api.call(app, .POST, path, token: token, ["personio_ids": picked])
            #expect(noCountry.error?["field"] as? String == "country")
            let badCountry = try await api.call(app, .POST, path, token: token, ["personio_ids": picked, "country": "Germany"])
            #expect(badCountry.error?["field"] as? String == "country")
            let noSuchCountry = try await api.call(app, .POST, path, token: token, ["personio_ids": picked, "country": "XX"])
            #expect(noSuchCountry.status == .unprocessableEntity && noSuchCountry.error?["field"] as? String == "country")
            #expect((noSuchCountry.error?["message"] as? String)?.hasPrefix("XX is not a country") == true)
            let unknown = try await api.call(app, .POST, path, token: token, ["personio_ids": [ids[0], 999_999], "country": "DE"])
            #expect(unknown.error?["field"] as? String == "personio_ids[1]")
            let twice = try await api.call(app, .POST, path, token: token, ["personio_ids": [ids[0], ids[0]], "country": "DE"])
            #expect(twice.error?["field"] as? String == "personio_ids[1]")
            let empty = try await api.call(app, .POST, path, token: token, ["personio_ids": [Int](), "country": "DE"])
            #expect(empty.error?["field"] as? String == "personio_ids")
            let notNeeded = try await api.call(app, .POST, "\(APIPath.connectionApprovals(tracking))", token: token,
                                               ["personio_ids": picked, "country": "DE"])
            #expect(notNeeded.status == .conflict)
            #expect(try await fixture.links(onboarding).values.allSatisfy { $0.state == .draft && $0.approvedAt == nil })

            // approval provisions the two at once (also the future hire: onboarding precedes the start)
            let approved = try await api.call(app, .POST, path, token: token, ["personio_ids": picked, "country": "es"])
            #expect(approved.status == .ok)
            #expect(approved.json["approved"] as? [Int] == picked)
            #expect((approved.json["run"] as? [String: Any])?["status"] as? String == "succeeded")
            let links = try await fixture.links(onboarding)
            for id in picked {
                #expect(links[id]?.state == .active)
                #expect(links[id]?.approvedBy?.contains("hr") == true)
                let change = try #require(try await fixture.changes(onboarding, of: id).last)
                #expect(change.state == .active)
                #expect(try StoredJSON.fields(change.fields)["country"] == "ES")
            }
            #expect(links.values.filter { $0.state == .draft }.count == links.count - 2)
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "people.approved").all()
            #expect(audit.count == 1)

            // a later change in Personio follows and keeps the country; an unchanged person is left alone
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["last_name": "Newer"]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)
            let update = try #require(try await fixture.changes(onboarding, of: hire).last)
            #expect(update.changedFields == ["last_name"])
            #expect(try StoredJSON.fields(update.fields)["country"] == "ES")
            let quiet = try await fixture.runner().run(connectionID: onboarding, full: true)
            #expect(quiet.counts.isEmpty, "nothing changed, so a full run changes nothing: \(quiet.counts)")
        }
    }

    @Test func anApprovalRecordedWhileARunHeldTheConnectionIsProvisionedByTheNextScheduledRun() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 6, seed: 4, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let onboarding = try await fixture.connection(.eorOnboarding)
                _ = try await fixture.sync(onboarding, full: true)
                let row = try #require(try await fixture.links(onboarding).values.first)
                row.approvedAt = clock.now
                row.approvedBy = "test"
                try await row.save(on: app.db)

                // an hour later, same day: the schedule would list incrementally, but an approval is pending
                clock.advance(by: 3600)
                let report = try await fixture.sync(onboarding)
                #expect(report.full)
                #expect(try await fixture.links(onboarding)[row.personioID]?.state == .active)
                clock.advance(by: 60)
                #expect(try await fixture.sync(onboarding).full == false, "no approval pending any more")
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func rejectedDraftsStayDraftsWithWhoRejectedThemAndCanStillBeApproved(_ database: HubConfiguration.Database) async throws {
        try await withOnboarding(database, employees: 8, seed: 12) { setup in
            let (fixture, app, token, api, onboarding, tracking) = (setup.fixture, setup.fixture.app, setup.token, WorkspaceAPITests(),
                                                                    setup.onboarding, setup.tracking)
            _ = try await fixture.runner().run(sourceID: fixture.sourceID)
            let ids = try await fixture.links(onboarding).keys.sorted()
            let path = "\(APIPath.connectionRejections(onboarding))"

            let unknown = try await api.call(app, .POST, path, token: token, ["personio_ids": [ids[0], 999_999]])
            #expect(unknown.error?["field"] as? String == "personio_ids[1]")
            let notNeeded = try await api.call(app, .POST, "\(APIPath.connectionRejections(tracking))", token: token, ["personio_ids": [ids[0]]])
            #expect(notNeeded.status == .conflict)

            let rejected = try await api.call(app, .POST, path, token: token, ["personio_ids": [ids[0]]])
            #expect(rejected.status == .ok)
            #expect(rejected.json["rejected"] as? [Int] == [ids[0]])
            let link = try await fixture.links(onboarding)[ids[0]]
            #expect(link?.state == .draft && link?.rejectedAt != nil && link?.rejectedBy?.hasPrefix("api token hr") == true)

            // a later approval wins and clears the rejection
            let approved = try await api.call(app, .POST, "\(APIPath.connectionApprovals(onboarding))", token: token,
                                              ["personio_ids": [ids[0]], "country": "DE"])
            #expect(approved.status == .ok)
            let after = try await fixture.links(onboarding)[ids[0]]
            #expect(after?.state == .active && after?.rejectedAt == nil)
        }
    }
}
