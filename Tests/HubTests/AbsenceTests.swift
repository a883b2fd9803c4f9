import Fluent
import Foundation
@testable import Hub
import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Absence push: kinds mapped to Personio types, written once, changed and cancelled", .serialized)
struct AbsenceTests {
    struct Setup {
        let fixture: SyncFixture
        let token: String
        let app: Application
        let runner: SyncRunner
        let api = ManagementAPITests()

        func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, token: String? = nil) async throws -> ManagementAPITests.Reply {
            try await api.call(app, method, path, token: token ?? self.token, body)
        }

        /// Reads what Personio holds, with the sandbox's own credential (not through the hub).
        var personio: PersonioClient {
            PersonioClient(configuration: PersonioConfiguration(baseURL: fixture.sandbox.baseURL + "/v1", credentials: PersonioCredentials(
                clientID: fixture.sandbox.clientId, clientSecret: fixture.sandbox.clientSecret)),
                           transport: AsyncHTTPClientTransport(client: fixture.sandbox.http))
        }

        /// Day-unit absences of an employee in Personio between two dates.
        func timeOffs(_ employee: Int, from: String, to: String) async throws -> [TimeOffPeriod] {
            try await personio.timeOffs(from: LocalDate(from)!, to: LocalDate(to)!, employees: [employee])
        }

        func absencePeriods(_ employee: Int, on day: String) async throws -> [AbsencePeriod] {
            try await personio.absencePeriods(from: LocalDate(day)!, to: LocalDate(day)!, employees: [employee])
        }
    }

    func withSetup(_ database: HubConfiguration.Database = .sqlite(path: ":memory:"), timeout: Duration = .seconds(30),
                   _ body: (Setup) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 6, seed: 21, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let clients = SyncFixture.clients(sandbox, timeout: timeout)
                let runner = SyncRunner(database: app.db, vault: fixture.vault, clients: clients, now: clock.provider,
                                        scim: OutboundHTTP.direct(sandbox.http).scim)
                try HubApp.mount(app, runner: runner)
                let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "tracker", on: app.db).token
                let setup = Setup(fixture: fixture, token: token, app: app, runner: runner)
                // sickness and vacation are day types, doctor an hour type (the sandbox's 2, 1 and 5)
                let mapped = try await setup.call(.PUT, "\(APIPath.sourceAbsenceKinds(fixture.sourceID))",
                                                  ["kinds": ["sickness": 2, "vacation": 1, "doctor": 5]])
                #expect(mapped.status == .ok, "\(mapped.json)")
                try await body(setup)
            }
        }
    }

    func sick(_ external: String = "abs-1", employee: Int = 10002, from: String = "2029-03-05", to: String = "2029-03-07") -> [String: Any] {
        ["external_id": external, "employee_id": employee, "kind": "sickness", "start_date": from, "end_date": to, "comment": "flu"]
    }

    @Test func theMappingIsCheckedAgainstPersonioAndListed() async throws {
        try await withSetup { setup in
            let path = "\(APIPath.source(setup.fixture.sourceID))"
            let types = try await setup.call(.GET, path + "/time-off-types")
            let listed = try #require(types.json["data"] as? [[String: Any]])
            #expect(listed.contains { $0["unit"] as? String == "hour" } && listed.count == 5)
            let unknown = try await setup.call(.PUT, path + "/absence-kinds", ["kinds": ["sickness": 999]])
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.error?["field"] as? String == "kinds.sickness")
            let badName = try await setup.call(.PUT, path + "/absence-kinds", ["kinds": ["sick leave!": 2]])
            #expect(badName.error?["field"] as? String == "kinds.sick leave!")
            let kinds = try await setup.call(.GET, path + "/absence-kinds")
            let rows = try #require(kinds.json["data"] as? [[String: Any]])
            #expect(rows.map { $0["kind"] as? String } == ["doctor", "sickness", "vacation"], "a refused mapping changed nothing")
            #expect(rows.first?["unit"] as? String == "hour")
        }
    }

    @Test(arguments: TestDatabases.all)
    func anAbsenceIsWrittenOnceChangedAndCancelled(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            // create
            let created = try await setup.call(.POST, "\(APIPath.absences)", sick())
            #expect(created.status == .created, "\(created.json)")
            #expect(created.json["status"] as? String == "written")
            let first = try #require(created.json["personio_id"] as? String)
            #expect(try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31").map { String($0.id) } == [first])

            // the same request again: the first result, no second absence
            let again = try await setup.call(.POST, "\(APIPath.absences)", sick())
            #expect(again.status == .ok)
            #expect(again.json["personio_id"] as? String == first)
            #expect(try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31").count == 1)
            // other values under the same id must be a PUT
            let conflicting = try await setup.call(.POST, "\(APIPath.absences)", sick(to: "2029-03-09"))
            #expect(conflicting.status == .conflict && conflicting.error?["field"] as? String == "external_id")

            // change: delete + create in Personio, recorded
            var changed = sick(to: "2029-03-09")
            changed["half_day_end"] = true
            let put = try await setup.call(.PUT, "\(APIPath.absence("abs-1"))", changed)
            #expect(put.status == .ok, "\(put.json)")
            let second = try #require(put.json["personio_id"] as? String)
            #expect(second != first)
            let now = try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31")
            #expect(now.map { String($0.id) } == [second] && now.first?.endDate == LocalDate("2029-03-09"))
            #expect(try await AuditEventModel.query(on: setup.app.db).filter(\.$action == "absence.changed").first()?.detail
                == "replaced Personio absence \(first)")

            // cancel
            let cancelled = try await setup.call(.DELETE, "\(APIPath.absence("abs-1"))")
            #expect(cancelled.status == .ok && cancelled.json["status"] as? String == "cancelled")
            #expect(try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31").isEmpty)
            let listed = try await setup.call(.GET, "\(APIPath.absences)?status=cancelled")
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
            #expect(try await setup.call(.PUT, "\(APIPath.absence("abs-1"))", sick()).status == .conflict, "a cancelled absence stays cancelled")
        }
    }

    @Test func badInputNamesTheFieldAndWritesNothing() async throws {
        try await withSetup { setup in
            func field(_ body: [String: Any]) async throws -> String? {
                let reply = try await setup.call(.POST, "\(APIPath.absences)", body)
                #expect(reply.status == .unprocessableEntity, "\(body): \(reply.json)")
                return reply.error?["field"] as? String
            }
            var body = sick()
            body["kind"] = "sabbatical"
            let unmapped = try await setup.call(.POST, "\(APIPath.absences)", body)
            #expect(unmapped.error?["field"] as? String == "kind")
            #expect((unmapped.error?["message"] as? String)?.contains("sabbatical is not mapped") == true)
            #expect(try await field(sick(from: "2029-03-07", to: "2029-03-05")) == "end_date")
            body = sick(); body["start_date"] = "5.3.2029"
            #expect(try await field(body) == "start_date")
            body = sick(); body.removeValue(forKey: "external_id")
            #expect(try await field(body) == "external_id")
            body = sick(); body.removeValue(forKey: "employee_id")
            #expect(try await field(body) == "employee_id")
            body = sick(); body.removeValue(forKey: "employee_id"); body["email"] = "not-an-email"
            #expect(try await field(body) == "email")
            body = sick(); body.removeValue(forKey: "employee_id"); body["email"] = "nobody@acme.example"
            #expect(try await field(body) == "email")
            body = sick(); body["start_time"] = "09:00"
            #expect(try await field(body) == "start_time", "times belong to hour types only")
            #expect(try await AbsenceModel.query(on: setup.app.db).count() == 0)

            // a person given by e-mail is found in Personio
            let person = try await setup.fixture.hire("Abby", "Absent", startingIn: -30)
            body = sick("abs-mail"); body.removeValue(forKey: "employee_id"); body["email"] = "abby.absent@acme.example"
            let byMail = try await setup.call(.POST, "\(APIPath.absences)", body)
            #expect(byMail.status == .created && byMail.json["employee_id"] as? Int == person)

            // a read-only token may look but not send
            let reader = try await APITokens.create(workspaceID: setup.fixture.workspaceID, name: "ro", scopes: ["read"], on: setup.app.db).token
            #expect(try await setup.call(.POST, "\(APIPath.absences)", sick("abs-ro"), token: reader).status == .forbidden)
            #expect(try await setup.call(.GET, "\(APIPath.absences)", token: reader).status == .ok)
        }
    }

    @Test func anHourTypeGoesToAbsencePeriodsWithItsTimes() async throws {
        try await withSetup { setup in
            var body: [String: Any] = ["external_id": "doc-1", "employee_id": 10003, "kind": "doctor", "start_date": "2029-04-02",
                                       "end_date": "2029-04-02"]
            let missing = try await setup.call(.POST, "\(APIPath.absences)", body)
            #expect(missing.error?["field"] as? String == "start_time")
            body["start_time"] = "09:00"
            body["end_time"] = "10:30"
            let created = try await setup.call(.POST, "\(APIPath.absences)", body)
            #expect(created.status == .created, "\(created.json)")
            #expect(created.json["unit"] as? String == "hour")
            let id = try #require(created.json["personio_id"] as? String)
            #expect(try await setup.absencePeriods(10003, on: "2029-04-02").map(\.id) == [id])
            #expect(try await setup.timeOffs(10003, from: "2029-04-02", to: "2029-04-02").isEmpty)
            #expect(try await setup.call(.DELETE, "\(APIPath.absence("doc-1"))").status == .ok)
            #expect(try await setup.absencePeriods(10003, on: "2029-04-02").isEmpty)
        }
    }

    @Test func personioRefusingIsPassedOnAndTheAbsenceFailsWithTheReason() async throws {
        try await withSetup { setup in
            #expect(try await setup.call(.POST, "\(APIPath.absences)", sick("abs-a")).status == .created)
            // overlapping the first: Personio answers 422
            let overlap = try await setup.call(.POST, "\(APIPath.absences)", sick("abs-b", from: "2029-03-06", to: "2029-03-08"))
            #expect(overlap.status == .unprocessableEntity)
            #expect(overlap.error?["code"] as? String == "personio_refused")
            #expect((overlap.error?["message"] as? String)?.contains("overlapping") == true, "\(overlap.json)")
            let stored = try await setup.call(.GET, "\(APIPath.absence("abs-b"))")
            #expect(stored.json["status"] as? String == "failed")
            #expect((stored.json["error"] as? String)?.contains("Personio refused the data") == true)
            #expect(try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31").count == 1, "nothing half-written")
        }
    }

    @Test(arguments: TestDatabases.all)
    func a5xxWaitsForARetryAndALostAnswerIsNotWrittenTwice(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database, timeout: .seconds(1)) { setup in
            let fixture = setup.fixture
            #expect(try await setup.call(.POST, "\(APIPath.absences)", sick("warm-up", employee: 10004)).status == .created)

            // a 503 on the create: pending, retried after the backoff
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["fail_next": 1]).status == 200)
            let pending = try await setup.call(.POST, "\(APIPath.absences)", sick("abs-5xx"))
            #expect(pending.status == .accepted, "\(pending.json)")
            #expect(pending.json["status"] as? String == "pending" && pending.json["retry_at"] != nil)
            let writer = AbsenceWriter(runner: setup.runner)
            #expect(try await writer.retryDue() == 0, "not due yet")
            fixture.clock.advance(by: 61)
            #expect(try await writer.retryDue() == 1)
            #expect(try await setup.call(.GET, "\(APIPath.absence("abs-5xx"))").json["status"] as? String == "written")
            #expect(try await setup.timeOffs(10002, from: "2029-03-01", to: "2029-03-31").count == 1)

            // Personio stores it but answers after the client stopped waiting: the retry finds it
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["slow_writes_ms": 2500]).status == 200)
            let lost = try await setup.call(.POST, "\(APIPath.absences)", sick("abs-lost", employee: 10005))
            #expect(lost.status == .accepted, "\(lost.json)")
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", [String: Any]()).status == 200)
            fixture.clock.advance(by: 61)
            #expect(try await writer.retryDue() == 1)
            let found = try await setup.call(.GET, "\(APIPath.absence("abs-lost"))")
            #expect(found.json["status"] as? String == "written" && found.json["attempts"] as? Int == 1, "\(found.json)")
            #expect(try await setup.timeOffs(10005, from: "2029-03-01", to: "2029-03-31").count == 1, "written once")
        }
    }
}
