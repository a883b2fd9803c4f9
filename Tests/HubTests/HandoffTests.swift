import Fluent
import Foundation
@testable import Hub
import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Hand-offs: a hire reaches Personio exactly once", .serialized)
struct HandoffTests {
    struct Setup {
        let fixture: SyncFixture
        let token: String
        let app: Application
    }

    /// `timeout`: the Personio client's request timeout (short to provoke a create that times out).
    /// The clock stands at a fraction of a second, as a real one does: SQLite keeps less of it.
    func withSetup(_ database: HubConfiguration.Database = .sqlite(path: ":memory:"), timeout: Duration = .seconds(30),
                   _ body: (Setup) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start.addingTimeInterval(0.123_456_789))
        try await withSandbox(employees: 5, seed: 13, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let clients = SyncFixture.clients(sandbox, timeout: timeout)
                try HubApp.mount(app, runner: SyncRunner(database: app.db, vault: fixture.vault, clients: clients, now: clock.provider,
                                                         scim: NoSCIMTransport()))
                let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "ats", on: app.db).token
                try await body(Setup(fixture: fixture, token: token, app: app))
            }
        }
    }

    func candidate(_ fixture: SyncFixture, id: String = "cand-1", email: String = "nina.neu@acme.example") -> [String: Any] {
        ["source_id": fixture.sourceID.uuidString, "candidate_id": id, "first_name": "Nina", "last_name": "Neu", "email": email,
         "position": "Designer", "department": "Engineering", "hire_date": fixture.today(plus: 14), "sent_by": "Rita Recruiter"]
    }

    /// Employees in the sandbox with this e-mail, read through Personio's API.
    func employees(_ fixture: SyncFixture, email: String) async throws -> Int {
        let token = try await fixture.sandbox.token()
        let reply = try await fixture.sandbox.request(.GET, "/v1/company/employees?email=\(email)", headers: [("Authorization", "Bearer \(token)")])
        return (reply.json["data"] as? [Any])?.count ?? 0
    }

    @Test func aHandOffCreatesOneEmployeeAndARepeatAnswersWithTheFirstResult() async throws {
        try await withSetup { setup in
            let api = ManagementAPITests()
            let first = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, candidate(setup.fixture))
            #expect(first.status == .created)
            let id = try #require(first.json["personio_id"] as? Int)
            #expect(first.json["sent_by"] as? String == "Rita Recruiter")
            #expect(first.json["sent_at"] as? String != nil)
            let again = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, candidate(setup.fixture))
            #expect(again.status == .ok)
            #expect(again.json["personio_id"] as? Int == id)
            #expect(try await employees(setup.fixture, email: "nina.neu@acme.example") == 1)
            let shown = try await api.call(setup.app, .GET, "\(APIPath.handoff("cand-1"))", token: setup.token)
            #expect(shown.json["status"] as? String == "sent")
            #expect(try await AuditEventModel.query(on: setup.app.db).filter(\.$action == "handoff.sent").count() == 1)
        }
    }

    @Test func twentyConcurrentIdenticalRequestsCreateOneEmployee() async throws {
        try await withSetup { setup in
            let body = try JSONSerialization.data(withJSONObject: candidate(setup.fixture, id: "cand-20", email: "zoe.zwanzig@acme.example"))
            let (app, token) = (setup.app, setup.token)
            let replies = try await withThrowingTaskGroup(of: ManagementAPITests.Reply.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
                        return try await ManagementAPITests().call(app, .POST, "\(APIPath.handoffs)", token: token, object)
                    }
                }
                var all: [ManagementAPITests.Reply] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            #expect(replies.filter { $0.status == .created }.count == 1)
            #expect(replies.filter { $0.status == .ok }.count == 19)
            #expect(Set(replies.compactMap { $0.json["personio_id"] as? Int }).count == 1)
            #expect(try await employees(setup.fixture, email: "zoe.zwanzig@acme.example") == 1)
        }
    }

    @Test(arguments: TestDatabases.all)
    func aCreateThatTimedOutAfterPersonioStoredItIsNotMadeTwice(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database, timeout: .seconds(1)) { setup in
            let fixture = setup.fixture
            // Personio stores the employee but answers after the client has stopped waiting
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["slow_writes_ms": 2500]).status == 200)
            let api = ManagementAPITests()
            let body = candidate(fixture, id: "cand-slow", email: "tim.timeout@acme.example")
            let first = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            #expect(first.status == .badGateway, "the create could not be confirmed: \(first.json)")
            #expect((first.error?["message"] as? String)?.contains("not repeated") == true)
            #expect(try await HandoffModel.query(on: setup.app.db).first()?.status == .failed)
            #expect(try await employees(fixture, email: "tim.timeout@acme.example") == 1, "stored once, not retried blindly")
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", [String: Any]()).status == 200)
            // the retry finds that employee instead of creating a second
            let retry = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            #expect(retry.status == .created)
            #expect((retry.json["note"] as? String)?.contains("earlier attempt") == true)
            #expect(try await employees(fixture, email: "tim.timeout@acme.example") == 1)
        }
    }

    @Test(arguments: TestDatabases.all)
    func aFailedHandOffIsSentAgainAtOnce(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let fixture = setup.fixture
            let api = ManagementAPITests()
            // given a hand-off Personio refused (an unknown supervisor)
            var body = candidate(fixture, id: "cand-retry", email: "rhea.retry@acme.example")
            body["supervisor_email"] = "nobody@acme.example"
            let refused = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            #expect(refused.status == .unprocessableEntity)
            #expect(try await api.call(setup.app, .GET, "\(APIPath.handoff("cand-retry"))", token: setup.token).json["status"] as? String == "failed")
            // when it is corrected and sent again, straight away
            fixture.clock.advance(by: 1.5)
            body["supervisor_email"] = nil
            let retried = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            // then this request sends it (no 409 in_progress while nobody is sending)
            #expect(retried.status == .created, "\(retried.json)")
            #expect(try await employees(fixture, email: "rhea.retry@acme.example") == 1)
            // and two more racing requests get the first result
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            async let third = api.raw(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, text)
            async let fourth = api.raw(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, text)
            let repeats = try await [third, fourth]
            #expect(repeats.map(\.status) == [.ok, .ok])
            let id = try #require(retried.json["personio_id"] as? Int)
            #expect(repeats.compactMap { $0.json["personio_id"] as? Int } == [id, id])
        }
    }

    @Test func theListIsReadAPageAtATime() async throws {
        try await withSetup { setup in
            let api = ManagementAPITests()
            for index in 1...3 {
                #expect(try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token,
                                           candidate(setup.fixture, id: "cand-page-\(index)",
                                                     email: "page.\(index)@acme.example")).status == .created)
                setup.fixture.clock.advance(by: 1)
            }
            let first = try await api.call(setup.app, .GET, "\(APIPath.handoffs)?limit=2", token: setup.token)
            #expect((first.json["data"] as? [[String: Any]])?.compactMap { $0["candidate_id"] as? String } == ["cand-page-3", "cand-page-2"])
            #expect(first.json["has_more"] as? Bool == true)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await api.call(setup.app, .GET, "\(APIPath.handoffs)?limit=2&cursor=\(cursor)", token: setup.token)
            #expect((second.json["data"] as? [[String: Any]])?.compactMap { $0["candidate_id"] as? String } == ["cand-page-1"])
            #expect(second.json["has_more"] as? Bool == false)
            #expect(second.json["next_cursor"] is NSNull)
            for (query, field) in [("limit=0", "limit"), ("limit=501", "limit"), ("cursor=-1", "cursor"), ("cursor=9223372036854775807", "cursor")] {
                let refused = try await api.call(setup.app, .GET, "\(APIPath.handoffs)?\(query)", token: setup.token)
                #expect(refused.status == .unprocessableEntity && refused.error?["field"] as? String == field, "\(query)")
                let absences = try await api.call(setup.app, .GET, "\(APIPath.absences)?\(query)", token: setup.token)
                #expect(absences.status == .unprocessableEntity && absences.error?["field"] as? String == field, "\(query)")
            }
        }
    }

    @Test func anExistingEmployeeIsA409NamingThemAndCanBeLinked() async throws {
        try await withSetup { setup in
            let fixture = setup.fixture
            let existing = try await fixture.hire("Eva", "Exists", startingIn: -100)
            let api = ManagementAPITests()
            let body = candidate(fixture, id: "cand-eva", email: "eva.exists@acme.example")
            let conflict = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            #expect(conflict.status == .conflict)
            #expect(conflict.error?["field"] as? String == "email")
            #expect((conflict.error?["message"] as? String)?.contains("\(existing)") == true)
            var linking = body
            linking["link_existing"] = true
            let linked = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, linking)
            #expect(linked.status == .ok)
            #expect(linked.json["personio_id"] as? Int == existing)
            #expect(try await employees(fixture, email: "eva.exists@acme.example") == 1)
        }
    }

    @Test func badInputIsNamedAndPermissionsAreEnforced() async throws {
        try await withSetup { setup in
            let fixture = setup.fixture
            let api = ManagementAPITests()
            for (field, value) in [("candidate_id", ""), ("email", "not-an-email"), ("hire_date", "14.12.2026"), ("supervisor_email", "x@"),
                                   ("sent_by", " "), ("source_id", UUID().uuidString)] as [(String, Any)] {
                var body = candidate(fixture)
                body[field] = value
                let reply = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
                #expect(reply.status == .unprocessableEntity, "\(field)")
                #expect(reply.error?["field"] as? String == field)
            }
            #expect(try await HandoffModel.query(on: setup.app.db).count() == 0)

            // a token that may only read cannot send
            let reader = try await APITokens.create(workspaceID: fixture.workspaceID, name: "r", scopes: ["read"], on: setup.app.db).token
            #expect(try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: reader, candidate(fixture)).status == .forbidden)

            // a Personio credential without write permission: refused, explained, nothing created
            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "readonly", "client_secret": "readonly-secret-123", "name": "Read only", "permissions": ["employees:read"],
            ]).status == 201)
            let source = SourceModel(workspaceID: fixture.workspaceID, name: "RO", baseURL: fixture.sandbox.baseURL + "/v1", clientID: "readonly",
                                     sealedClientSecret: "")
            source.id = UUID()
            source.sealedClientSecret = try fixture.vault.seal("readonly-secret-123", context: SyncRunner.secretContext(source))
            try await source.create(on: setup.app.db)
            var body = candidate(fixture, id: "cand-ro", email: "ro.person@acme.example")
            body["source_id"] = try source.requireID().uuidString
            let refused = try await api.call(setup.app, .POST, "\(APIPath.handoffs)", token: setup.token, body)
            #expect(refused.status == .forbidden)
            #expect((refused.error?["message"] as? String)?.isEmpty == false)
            #expect(try await employees(fixture, email: "ro.person@acme.example") == 0)
            #expect(try await HandoffModel.query(on: setup.app.db).filter(\.$candidateID == "cand-ro").first()?.status == .failed)
        }
    }
}
