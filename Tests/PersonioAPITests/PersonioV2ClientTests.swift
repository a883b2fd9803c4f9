import Foundation
@testable import PersonioAPI
import SyncEngine
import Testing
import TestSupport

/// The client's v2 path against the sandbox over loopback HTTP.
@Suite("Personio client through v2")
struct PersonioV2ClientTests {
    private func v2Client(_ sandbox: SandboxHarness, clock: VirtualClock = VirtualClock(), clientID: String? = nil,
                          clientSecret: String? = nil) -> PersonioClient {
        PersonioClientTests.client(sandbox, clock: clock, clientID: clientID, clientSecret: clientSecret) {
            $0.apiVersion = .v2
            $0.v2PageSize = 25
        }
    }

    private func setFaults(_ sandbox: SandboxHarness, _ faults: [String: Any]) async throws {
        #expect(try await sandbox.admin(.PUT, "/sandbox/faults", faults).status == 200)
    }

    private func readAll(_ client: PersonioClient, updatedSince: Date? = nil) async throws -> [Employee] {
        var employees: [Employee] = []
        for try await page in client.employees(updatedSince: updatedSince) { employees += page.employees }
        return employees
    }

    /// What v1 and v2 both say about a person (v2 names offices by id only, and knows no salaries,
    /// holiday calendars or vacation balances).
    private struct Shared: Equatable, CustomStringConvertible {
        var fields: [String: String]
        var description: String { fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") }

        init(_ e: Employee) {
            func text(_ value: Any?) -> String { value.map { "\($0)" } ?? "nil" }
            fields = [
                "first_name": text(e.firstName), "last_name": text(e.lastName), "preferred_name": text(e.preferredName),
                "email": text(e.email), "gender": text(e.gender), "status": text(e.status?.text), "position": text(e.position),
                "employment_type": text(e.employmentType), "weekly_working_hours": text(e.weeklyWorkingHours),
                "department": text(e.department.map { "\($0.id ?? 0) \($0.name)" }), "team": text(e.team.map { "\($0.id ?? 0) \($0.name)" }),
                "office": text(e.office?.id), "subcompany": text(e.subcompany.map { "\($0.id ?? 0) \($0.name)" }),
                "supervisor": text(e.supervisor?.id), "hire_date": text(e.hireDate),
                "contract_end_date": text(e.contractEndDate), "termination_date": text(e.terminationDate),
                "last_working_day": text(e.lastWorkingDay), "probation_period_end": text(e.probationPeriodEnd),
                "created_at": text(e.createdAt), "last_modified_at": text(e.lastModifiedAt),
            ]
            for (key, value) in e.custom { fields[key] = "\(value.label): \(value.value)" }
        }
    }

    @Test func v1AndV2ReadsOfOneCompanyGiveEqualEmployeesForEveryAttributeBothExpose() async throws {
        try await withSandbox(employees: 150) { sandbox in
            // a changed person and a changed job, so that change times differ between the parts
            sandbox.clock.advance(by: 3600)
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10007", ["last_name": "Kowalczyk",
                                                                                 "dynamic_1001": "+49 30 1234"]).status == 200)
            sandbox.clock.advance(by: 3600)
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10008", ["position": "Staff Engineer",
                                                                                 "department": "Research"]).status == 200)
            let v1 = try await readAll(PersonioClientTests.client(sandbox))
            let v2Client = v2Client(sandbox)
            let v2 = try await readAll(v2Client)
            #expect(v1.count == 150)
            #expect(v2.map(\.id) == v1.map(\.id))
            let v2ByID = Dictionary(uniqueKeysWithValues: v2.map { ($0.id, $0) })
            var compared = 0
            for employee in v1 {
                let other = try #require(v2ByID[employee.id])
                #expect(Shared(other) == Shared(employee), "\(employee.id)\n v1: \(Shared(employee))\n v2: \(Shared(other))")
                compared += 1
            }
            #expect(compared == 150)
            #expect(v1.contains { $0.terminationDate != nil } && v1.contains { $0.supervisor != nil } && v1.contains { !$0.custom.isEmpty },
                    "the company has leavers, supervisors and custom attributes to compare")
            #expect(await v2Client.statistics.requests == 1 + 2 + 6 + 150,
                    "a token, the org units and legal entities, six pages of 25 and one employments request per person")
            // one person, and an e-mail look-up
            let (one, issues) = try await v2Client.employee(id: 10008)
            #expect(issues.isEmpty)
            #expect(one.position == "Staff Engineer")
            #expect(one.department?.name == "Research", "a single person's units are named too")
            let v1One = try await PersonioClientTests.client(sandbox).employee(id: 10008).0
            #expect(one.supervisor == v1One.supervisor, "a single person's supervisor comes with e-mail and names, as in v1")
            #expect(try await v2Client.employeeID(email: one.email ?? "") == 10008)
        }
    }

    @Test func anIncrementalV2ReadFindsEmploymentChangesThatLeaveThePersonAlone() async throws {
        try await withSandbox(employees: 40) { sandbox in
            let client = v2Client(sandbox)
            sandbox.clock.advance(by: 60)
            let since = sandbox.clock.now
            sandbox.clock.advance(by: 60)
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10011", ["position": "Controller"]).status == 200)
            let changed = try await readAll(client, updatedSince: since)
            #expect(changed.map(\.id) == [10011])
        }
    }

    @Test func followsRelativeNextLinksAndStopsWithATypedErrorOnARepeatingCursor() async throws {
        try await withSandbox(employees: 60) { sandbox in
            try await setFaults(sandbox, ["v2_next_link": "relative"])
            #expect(try await readAll(v2Client(sandbox)).count == 60)
            try await setFaults(sandbox, ["v2_repeat_cursor_next": 1])
            var read = 0
            do {
                for try await page in v2Client(sandbox).employees() { read += page.employees.count }
                Issue.record("expected the repeated cursor to end the listing")
            } catch let error as PersonioError {
                guard case .incompleteListing(let reason) = error else { Issue.record("\(error)"); return }
                #expect(reason.contains("repeated the cursor"))
            }
            #expect(read == 50, "the pages read before the repeat are kept: \(read)")
        }
    }

    @Test func aNextLinkToAnotherHostIsRefusedWithoutSendingTheToken() async throws {
        try await withSandbox { sandbox in
            let client = v2Client(sandbox)
            let relative = try client.resolveNext("/v2/persons?cursor=cur_x")
            #expect(relative == sandbox.baseURL + "/v2/persons?cursor=cur_x")
            #expect(throws: PersonioError.self) { try client.resolveNext("https://evil.example/v2/persons?cursor=cur_x") }
            #expect(throws: PersonioError.self) { try client.resolveNext(sandbox.baseURL + ".evil.example/v2/persons") }
        }
    }

    @Test func retries429AndRefreshesAnExpiredToken() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let clock = VirtualClock()
            let client = v2Client(sandbox, clock: clock)
            _ = try await client.employee(id: 10001)
            try await setFaults(sandbox, ["force_429_next": 2])
            _ = try await client.employee(id: 10002)
            #expect(await client.statistics.rateLimited == 2)
            #expect(clock.sleeps.filter { $0 >= .seconds(1) }.count >= 2)
            sandbox.clock.advance(by: 86_401)
            let before = await client.statistics.requests
            let (third, _) = try await client.employee(id: 10003)
            let used = await client.statistics.requests - before
            #expect(used == 4 + (third.supervisor == nil ? 0 : 1), "401, a new token, the person, the employments (and the supervisor): \(used)")
        }
    }

    @Test func everyV2ErrorIsTypedWithARemedy() async throws {
        try await withSandbox { sandbox in
            await #expect(throws: PersonioError.invalidCredentials(status: 400)) {
                _ = try await v2Client(sandbox, clientSecret: "wrong").employee(id: 10001)
            }
            let client = v2Client(sandbox)
            do {
                _ = try await client.employee(id: 99_999)
                Issue.record("expected 404")
            } catch let error as PersonioError {
                guard case .notFound = error else { Issue.record("\(error)"); return }
                #expect(!error.remedy.isEmpty)
            }
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "absences-only", "client_secret": "absences-secret-1", "name": "Absences", "permissions": ["absences:read"]])
            #expect(created.status == 201)
            do {
                _ = try await v2Client(sandbox, clientID: "absences-only", clientSecret: "absences-secret-1").employee(id: 10001)
                Issue.record("expected 403")
            } catch let error as PersonioError {
                guard case .forbidden(let message) = error else { Issue.record("\(error)"); return }
                #expect(message.contains("personio:persons:read"))
            }
            try await setFaults(sandbox, ["fail_next": 100, "error_status": 502])
            await #expect(throws: PersonioError.serverError(status: 502, message: "Es ist ein Problem aufgetreten")) {
                _ = try await client.employee(id: 10001)
            }
        }
    }

    @Test func personsWithoutAnIdDoNotStopTheOthersEmploymentsBeingRead() async throws {
        try await withSandbox(employees: 12) { sandbox in
            let client = v2Client(sandbox)
            let persons = (0..<8).map { _ in JSONValue.object(["email": .string("no-id@acme-gmbh.example")]) }
                + [JSONValue.object(["id": .string("10001")]), .object(["id": .string("10002")])]
            let employments = try await client.v2Employments(of: persons)
            #expect(employments.count == 10)
            let withoutID = employments.prefix(8).filter { !$0.isEmpty }.count
            #expect(withoutID == 0)
            let first = employments[8].first?["person"]?["id"]?.string, second = employments[9].count
            #expect(first == "10001" && second == 1,
                    "the two with ids are read although the eight before them (as many as run at once) have none")
        }
    }

    @Test func autoListsThroughV1AndReadsOnePersonThroughV2() async throws {
        #expect(PersonioAPIVersion.listingCost(of: .v1, people: 10_000) == 100)
        #expect(PersonioAPIVersion.listingCost(of: .v2, people: 10_000) == 10_200)
        #expect(PersonioAPIVersion.Choice.auto.forListing(people: 10_000) == .v1)
        #expect(PersonioAPIVersion.Choice.auto.forListing(people: 1) == .v1)
        #expect(PersonioAPIVersion.Choice.auto.forSinglePerson == .v2)
        try await withSandbox(employees: 30) { sandbox in
            let client = PersonioClientTests.client(sandbox) { $0.apiVersion = .auto }
            let everyone = try await readAll(client)
            #expect(everyone.count == 30)
            #expect(await client.statistics.requests == 2, "v1: a token and one page of 100")
            let (one, _) = try await client.employee(id: 10001)
            let single = await client.statistics.requests - 2
            #expect(single == 5 + (one.supervisor == nil ? 0 : 1),
                    "v2: a token, the person, the employments, the supervisor if any, org units, legal entities: \(single)")
        }
    }
}

@Suite("Personio client: v2 absences and webhook subscriptions")
struct PersonioV2WritesClientTests {
    @Test func readsWritesAndDeletesAbsencePeriodsThroughV2() async throws {
        try await withSandbox { sandbox in
            let client = PersonioClientTests.client(sandbox) { $0.apiVersion = .v2 }
            let types = try await client.v2AbsenceTypes()
            let sick = try #require(types.first { $0.name == "Sick leave" })
            #expect(sick.unit == "DAY")
            let start = try #require(LocalDate("2031-03-02")), end = try #require(LocalDate("2031-03-03"))
            let id = try await client.v2CreateAbsencePeriod(personID: 10004, absenceTypeID: sick.id, start: start, end: end, halfDayEnd: true)
            let listed = try await client.v2AbsencePeriods(personIDs: [10004], from: start)
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.personID == "10004" && listed.first?.start == start && listed.first?.end == end)
            #expect(listed.first?.approvalStatus == "APPROVED")
            // the same absence through v1, with its v2 id
            let v1 = try await client.timeOffs(from: start, to: end, employees: [10004])
            #expect(v1.count == 1)
            try await client.v2DeleteAbsencePeriod(id: id)
            #expect(try await client.v2AbsencePeriods(personIDs: [10004], from: start).isEmpty)
            do {
                _ = try await client.v2CreateAbsencePeriod(personID: 10004, absenceTypeID: "nope", start: start, end: end)
                Issue.record("expected a 422")
            } catch let error as PersonioError {
                guard case .validationFailed(_, let fields) = error else { Issue.record("\(error)"); return }
                #expect(fields.keys.contains("absence_type.id"))
            }
        }
    }

    @Test func managesWebhookSubscriptions() async throws {
        try await withSandbox { sandbox in
            let client = PersonioClientTests.client(sandbox)
            let created = try await client.createWebhook(PersonioWebhookSettings(
                url: "https://hooks.example.com/rollcall", description: "Rollcall", authentication: .token("Bearer t0ken"),
                events: ["person.created", "person.updated"]))
            #expect(created.status == "ENABLED" && created.authType == "TOKEN")
            #expect(try await client.webhooks().map(\.id) == [created.id])
            let changed = try await client.updateWebhook(id: created.id, PersonioWebhookSettings(
                url: "https://hooks.example.com/rollcall", enabled: false, authentication: .headers([("X-Key", "k")]),
                events: ["person.updated"]))
            #expect(changed.status == "DISABLED" && changed.authType == "CUSTOM" && changed.enabledEvents == ["person.updated"])
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Still"]).status == 200)
            #expect(try await client.webhookEvents(id: created.id).isEmpty, "a disabled subscription is sent nothing")
            try await client.deleteWebhook(id: created.id)
            #expect(try await client.webhooks().isEmpty)
            do {
                _ = try await client.createWebhook(PersonioWebhookSettings(url: "ftp://x", events: ["person.updated"]))
                Issue.record("expected a 422")
            } catch let error as PersonioError {
                guard case .validationFailed(_, let fields) = error else { Issue.record("\(error)"); return }
                #expect(fields.keys.contains("url"))
            }
        }
    }
}

@Suite("Personio client: diagnose checks the v2 scopes")
struct PersonioV2DiagnosisTests {
    @Test func aV2SourceIsConnectedOnlyWithThePersonsAndEmploymentsScopes() async throws {
        try await withSandbox { sandbox in
            let v1Only = await PersonioClientTests.client(sandbox).diagnose(required: ["first_name"])
            #expect(v1Only.v2Scopes.isEmpty, "a v1 source asks nothing of v2")
            let full = await PersonioClientTests.client(sandbox) { $0.apiVersion = .auto }.diagnose(required: ["first_name"])
            #expect(full.isConnected)
            #expect(full.v2Scopes.filter(\.required).allSatisfy(\.granted) && full.v2Scopes.count == 5)
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "absences-only", "client_secret": "absences-secret-1", "name": "Absences", "permissions": ["absences:read"]])
            #expect(created.status == 201)
            let narrow = await PersonioClientTests.client(sandbox, clientID: "absences-only", clientSecret: "absences-secret-1") {
                $0.apiVersion = .v2
            }.diagnose(required: [])
            #expect(!narrow.isConnected)
            let missing = narrow.v2Scopes.filter { $0.required && !$0.granted }
            #expect(missing.map(\.scope) == ["personio:persons:read", "personio:employments:read"])
            #expect(missing.first?.remedy?.contains("Settings › Integrations › API credentials") == true)
            #expect(missing.first?.remedy?.contains("Persons: read") == true)
            #expect(narrow.v2Scopes.first { $0.scope == "personio:absences:read" }?.granted == true)
        }
    }
}

@Suite("Personio client: v2 error bodies become typed errors")
struct PersonioV2ErrorMappingTests {
    private func problem(_ json: String) throws -> JSONValue {
        try #require(try JSONValue.parse(Data(json.utf8))["errors"]?.array?.first)
    }

    @Test func problemBodiesAreTypedWithTheParameterNamed() throws {
        let badRequest = PersonioClient.v2Failure(status: 400, problem: try problem(
            #"{"personio_trace_id":"t","timestamp":"2026-01-01T00:00:00Z","errors":[{"title":"Bad request","detail":"Provided request parameters are invalid.","type":"x","_meta":{"parameter":"limit","reason":"limit must be an integer from 1 to 50"}}]}"#))
        #expect(badRequest == .badRequest(message: "Provided request parameters are invalid.",
                                          fields: ["limit": ["limit must be an integer from 1 to 50"]]))
        let unprocessable = PersonioClient.v2Failure(status: 422, problem: try problem(
            #"{"errors":[{"title":"Unprocessable entity","detail":"gender must be MALE, FEMALE, DIVERSE or UNSPECIFIED.","_meta":{"field":"gender"}}]}"#))
        guard case .validationFailed(_, let fields) = unprocessable else { Issue.record("\(unprocessable)"); return }
        #expect(fields.keys.sorted() == ["gender"])
        #expect(PersonioClient.v2Failure(status: 404, problem: try problem(#"{"errors":[{"title":"Resource not found"}]}"#))
                == .notFound(message: "Resource not found"))
        #expect(PersonioClient.v2Failure(status: 429, problem: try problem(#"{"errors":[{"title":"Too many requests"}]}"#))
                == .unexpectedStatus(status: 429, message: "Too many requests"))
    }

    @Test func oauthErrorsAreTyped() throws {
        func oauth(_ json: String) throws -> PersonioError {
            PersonioClient.oauthFailure(status: 400, document: try JSONValue.parse(Data(json.utf8)))
        }
        #expect(try oauth(#"{"error":"invalid_client","error_description":"Client authentication failed"}"#) == .invalidCredentials(status: 400))
        #expect(try oauth(#"{"error":"unauthorized_client"}"#) == .invalidCredentials(status: 400))
        guard case .forbidden(let message) = try oauth(#"{"error":"invalid_scope","error_description":"One of the requested scopes is invalid."}"#) else {
            Issue.record("invalid_scope is not .forbidden"); return
        }
        #expect(message.contains("scopes"))
        guard case .badRequest = try oauth(#"{"error":"invalid_request","error_description":"missing"}"#) else {
            Issue.record("invalid_request is not .badRequest"); return
        }
    }
}
