import Fluent
import Foundation
@testable import Hub
import Provisioning
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Syncing into a SCIM 2.0 app end to end", .serialized,
       .enabled(if: SCIMServerHarness.available, Comment(rawValue: SCIMServerHarness.skipReason)))
struct SCIMSyncTests {
    func withSetup(_ body: (SyncFixture, SCIMServerHarness, String) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 8, seed: 21, clock: clock) { sandbox in
            try await withSCIMServer { scim in
                try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                    let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                    try HubApp.mount(app, runner: fixture.runner())
                    let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "it", on: app.db).token
                    try await body(fixture, scim, token)
                }
            }
        }
    }

    func scimUser(_ scim: SCIMServerHarness, personioID: Int) async throws -> [String: Any]? {
        try await scim.users(filter: "externalId eq \"\(personioID)\"").first
    }

    @Test func aSCIMConnectionIsValidatedLiveAndFollowsPersonioIntoTheApp() async throws {
        try await withSetup { fixture, scim, token in
            let app = fixture.app
            let api = WorkspaceAPITests()
            let base: [String: Any] = ["source_id": fixture.sourceID.uuidString, "preset": "time-tracking", "target": "scim"]

            // bad settings are named, and a wrong token is found by a live call
            var body = base
            body["scim"] = ["base_url": "not a url", "token": "x"]
            #expect(try await api.call(app, .POST, "\(APIPath.connections)", token: token, body).error?["field"] as? String == "scim.base_url")
            body["scim"] = ["base_url": scim.baseURL]
            #expect(try await api.call(app, .POST, "\(APIPath.connections)", token: token, body).error?["field"] as? String == "scim.token")
            body["scim"] = ["base_url": scim.baseURL, "token": scim.token, "correlation": ["externalId", "phone"]]
            #expect(try await api.call(app, .POST, "\(APIPath.connections)", token: token, body).error?["field"] as? String == "scim.correlation[1]")
            body["scim"] = ["base_url": scim.baseURL, "token": "wrong-token"]
            let wrong = try await api.call(app, .POST, "\(APIPath.connections)", token: token, body)
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.error?["field"] as? String == "scim.token")
            #expect(try await ConnectionModel.query(on: app.db).count() == 0)

            // a person already in the app from a run that died after the app's write: linked, not duplicated
            let hire = try await fixture.hire("Sam", "Scim", startingIn: -3)
            let early = try await scim.createUser(["userName": "sam.scim@acme.example", "externalId": String(hire)])

            body["scim"] = ["base_url": scim.baseURL, "token": scim.token]
            let created = try await api.call(app, .POST, "\(APIPath.connections)", token: token, body)
            #expect(created.status == .created)
            let connection = try #require(UUID(uuidString: created.json["id"] as? String ?? ""))
            let stored = try #require(try await ConnectionModel.find(connection, on: app.db))
            #expect(!stored.targetConfig.contains(scim.token), "the token is sealed")

            let first = try await fixture.sync(connection)
            #expect(first.status == .succeeded)
            let links = try await fixture.links(connection)
            let active = links.values.filter { $0.state == .active }
            #expect(!active.isEmpty)
            for link in active {
                let user = try #require(try await scimUser(scim, personioID: link.personioID))
                #expect(user["id"] as? String == link.targetID)
                #expect(user["active"] as? Bool == true)
                #expect(link.fields == nil, "a SCIM connection stores no personal fields")
            }
            #expect(links[hire]?.targetID == early)
            #expect(try await scim.users(filter: "externalId eq \"\(hire)\"").count == 1)

            // a department change follows; a termination archives (active: false)
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["department": "Sales"]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(connection)
            let moved = try #require(try await scimUser(scim, personioID: hire))
            #expect((moved[SCIMTarget.enterpriseSchema] as? [String: Any])?["department"] as? String == "Sales")
            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(hire)/terminate",
                                                    ["termination_date": fixture.today(plus: -1)]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(connection)
            #expect(try await scimUser(scim, personioID: hire)?["active"] as? Bool == false)
            #expect(try await fixture.links(connection)[hire]?.state == .archived)

            // a tick with nothing to send does not call the app at all
            let counting = CountingSCIMTransport(AsyncHTTPClientSCIMTransport(client: scim.http))
            var quietRunner = fixture.runner()
            quietRunner.scimTransport = counting
            fixture.clock.advance(by: 60)
            let quiet = try await quietRunner.run(connectionID: connection)
            #expect(quiet.status == .succeeded && quiet.counts.isEmpty)
            #expect(counting.requests == 0)

            // settings change without the token: the stored one is kept and checked again; a wrong one changes nothing
            let kept = try await api.call(app, .PATCH, "\(APIPath.connection(connection))", token: token, ["scim": ["deletes": false]])
            #expect(kept.status == .ok)
            let updated = try #require(try await ConnectionModel.find(connection, on: app.db))
            let settings = try StoredJSON.decode(SCIMTargetSettings.self, updated.targetConfig)
            #expect(settings.deletes == false && settings.baseURL == scim.baseURL)
            #expect(try fixture.vault.open(settings.sealedToken, context: SCIMTargetSettings.tokenContext(connection)) == scim.token)
            let refused = try await api.call(app, .PATCH, "\(APIPath.connection(connection))", token: token, ["scim": ["token": "wrong-token"]])
            #expect(refused.error?["field"] as? String == "scim.token")
            #expect(try await ConnectionModel.find(connection, on: app.db)?.targetConfig == updated.targetConfig)
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "connection.updated").all()
            #expect(audit.map(\.detail) == ["Time tracking: SCIM app \(scim.baseURL)"])
            #expect(try await fixture.sync(connection).status == .succeeded)
        }
    }

    @Test func aPersonTheAppRejectsFailsAloneIsExplainedAndIsRetriedAfterTheBackoff() async throws {
        try await withSetup { fixture, scim, token in
            let app = fixture.app
            // the app already has someone else under the new hire's e-mail
            let hire = try await fixture.hire("Rita", "Retry", startingIn: -1)
            let blocker = try await scim.createUser(["userName": "rita.retry@acme.example", "externalId": "someone-else"])
            let created = try await WorkspaceAPITests().call(app, .POST, "\(APIPath.connections)", token: token, [
                "source_id": fixture.sourceID.uuidString, "preset": "service-desk", "target": "scim",
                "scim": ["base_url": scim.baseURL, "token": scim.token],
            ])
            let connection = try #require(UUID(uuidString: created.json["id"] as? String ?? ""))

            let first = try await fixture.sync(connection)
            #expect(first.status == .partial, "one person failed: not a success")
            #expect(first.counts["failed"] == 1)
            #expect(first.counts["create"] ?? 0 > 1, "the others were created: \(first.counts)")
            #expect(first.error?.contains("1 of") == true)
            let operation = try #require(try await RunOperationModel.query(on: app.db).filter(\.$run.$id == first.runID)
                .filter(\.$personioID == hire).first())
            #expect(operation.outcome == .failed)
            #expect(operation.errorCode == "scim_409_uniqueness")
            #expect(operation.errorExplanation?.contains("userName or e-mail") == true)
            let link = try #require(try await fixture.links(connection)[hire])
            #expect(link.targetID == nil && link.failures == 1)
            #expect(link.retryAfter == fixture.clock.now.addingTimeInterval(60))

            // within the backoff the person waits, with the reason
            fixture.clock.advance(by: 30)
            let waiting = try await fixture.sync(connection, full: true)
            #expect(waiting.counts["waiting"] == 1)

            // the conflict is resolved in the app; after the backoff the next scheduled run (a full listing,
            // since a retry is due) creates them
            _ = try await scim.request(.DELETE, "/Users/\(blocker)")
            fixture.clock.advance(by: 60)
            let retried = try await fixture.sync(connection)
            #expect(retried.full)
            #expect(retried.status == .succeeded)
            #expect(retried.counts["failed"] == nil)
            let resent = try #require(try await RunOperationModel.query(on: app.db).filter(\.$run.$id == retried.runID)
                .filter(\.$personioID == hire).first())
            #expect(resent.kind == "create" && resent.outcome == .applied)
            #expect(resent.reason.hasPrefix("sent again after a failed first attempt"))
            let fixed = try #require(try await fixture.links(connection)[hire])
            #expect(fixed.targetID != nil && fixed.failures == 0 && fixed.lastError == nil)
            #expect(try await scimUser(scim, personioID: hire)?["id"] as? String == fixed.targetID)
        }
    }
}
