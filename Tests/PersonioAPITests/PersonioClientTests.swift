import Foundation
import Logging
import PersonioAPI
import SyncEngine
import Testing
import TestSupport

/// The client against the real sandbox over loopback HTTP.
@Suite("Personio client against the sandbox")
struct PersonioClientTests {
    static func client(
        _ sandbox: SandboxHarness, clock: VirtualClock = VirtualClock(), clientID: String? = nil, clientSecret: String? = nil,
        logger: Logger = Logger(label: "test"), configure: (inout PersonioConfiguration) -> Void = { _ in }
    ) -> PersonioClient {
        var configuration = PersonioConfiguration(
            baseURL: sandbox.baseURL + "/v1",
            credentials: PersonioCredentials(clientID: clientID ?? sandbox.clientId, clientSecret: clientSecret ?? sandbox.clientSecret,
                                             partnerID: "rollcall", appID: "tests"))
        configure(&configuration)
        return PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: sandbox.http),
                              clock: clock.clock, logger: logger)
    }

    private func setFaults(_ sandbox: SandboxHarness, _ faults: [String: Any]) async throws {
        #expect(try await sandbox.admin(.PUT, "/sandbox/faults", faults).status == 200)
    }

    @Test func sharesOneTokenAcrossConcurrentCalls() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await client.attributes().count } }
                for try await count in group { #expect(count > 30) }
            }
            #expect(await client.statistics.requests == 11, "one auth request and ten attribute requests")
        }
    }

    @Test func reauthenticatesOnceWhenPersonioRejectsAnExpiredToken() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox)
            _ = try await client.attributes()
            sandbox.clock.advance(by: 86_401)  // the sandbox expires the token; the client does not know yet
            _ = try await client.attributes()
            #expect(await client.statistics.requests == 5, "auth, attributes, 401, auth, attributes")
        }
    }

    @Test func refreshesTheTokenBeforeItExpiresWithoutBeingRejectedFirst() async throws {
        try await withSandbox { sandbox in
            let clock = VirtualClock()
            let client = Self.client(sandbox, clock: clock)
            _ = try await client.attributes()
            clock.advance(by: .seconds(3600))
            _ = try await client.attributes()
            #expect(await client.statistics.requests == 3, "within its lifetime the token is reused")
            // a minute before the 24 hours are over the client asks for a new token itself
            clock.advance(by: .seconds(86_400 - 3600 - 30))
            sandbox.clock.advance(by: 86_401)
            _ = try await client.attributes()
            #expect(await client.statistics.requests == 5, "auth, attributes, attributes, auth, attributes: no 401 first")
        }
    }

    @Test func waitsOn429AndRetries() async throws {
        try await withSandbox { sandbox in
            let clock = VirtualClock()
            let client = Self.client(sandbox, clock: clock)
            _ = try await client.attributes()
            try await setFaults(sandbox, ["force_429_next": 2])
            #expect(try await client.attributes().isEmpty == false)
            #expect(await client.statistics.rateLimited == 2)
            #expect(clock.sleeps.filter { $0 >= .seconds(1) }.count >= 2, "waited at least Retry-After (1 s) each time: \(clock.sleeps)")
        }
    }

    @Test func retries5xxWithBackoffAndGivesUpWithATypedError() async throws {
        try await withSandbox { sandbox in
            let clock = VirtualClock()
            let client = Self.client(sandbox, clock: clock)
            _ = try await client.attributes()
            try await setFaults(sandbox, ["fail_next": 3, "error_status": 502])
            #expect(try await client.attributes().isEmpty == false)
            #expect(await client.statistics.retries == 3)
            try await setFaults(sandbox, ["fail_next": 100, "error_status": 503])
            await #expect(throws: PersonioError.serverError(status: 503, message: "Es ist ein Problem aufgetreten")) {
                _ = try await client.attributes()
            }
            let waits = clock.sleeps.suffix(5)
            #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 <= $1 + .milliseconds(300) }, "backoff grows: \(waits)")
        }
    }

    @Test func failsFastWithInvalidCredentials() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox, clientSecret: "wrong")
            await #expect(throws: PersonioError.invalidCredentials(status: 401)) { _ = try await client.attributes() }
            #expect(await client.statistics.requests == 1)
        }
    }

    @Test func readsEveryEmployeeOnceAcrossPages() async throws {
        try await withSandbox(employees: 250) { sandbox in
            let client = Self.client(sandbox)
            var ids: [Int] = []
            var pages = 0
            for try await page in client.employees() {
                pages += 1
                ids += page.employees.map(\.id)
                #expect(page.issues.isEmpty, "\(page.issues)")
            }
            #expect(pages == 3)
            #expect(ids.count == 250)
            #expect(Set(ids).count == 250)
        }
    }

    @Test func reportsATruncatedListingAfterYieldingWhatItRead() async throws {
        try await withSandbox(employees: 250) { sandbox in
            let client = Self.client(sandbox)
            try await setFaults(sandbox, ["truncate_next_pages": 2])  // the page and its re-fetch
            var read = 0
            var failure: PersonioError?
            do {
                for try await page in client.employees() { read += page.employees.count }
            } catch let error as PersonioError {
                failure = error
            }
            #expect(read == 200, "50 of the first page, then two full pages")
            guard case .incompleteListing(let reason)? = failure else {
                Issue.record("expected incompleteListing, got \(String(describing: failure))")
                return
            }
            #expect(reason.contains("offset 0"))
            #expect(failure?.remedy.contains("nobody is archived or deleted") == true)
        }
    }

    @Test func aShortPageThatComesRightOnRetryIsNotAnAnomaly() async throws {
        try await withSandbox(employees: 250) { sandbox in
            let client = Self.client(sandbox)
            try await setFaults(sandbox, ["truncate_next_pages": 1])
            var read = 0
            for try await page in client.employees() { read += page.employees.count }
            #expect(read == 250)
        }
    }

    @Test func readsOnlyWhatChangedSinceAMoment() async throws {
        try await withSandbox(employees: 80) { sandbox in
            let client = Self.client(sandbox)
            sandbox.clock.advance(by: 3600)
            let since = sandbox.clock.now
            sandbox.clock.advance(by: 60)
            _ = try await sandbox.admin(.PATCH, "/sandbox/employees/10010", ["position": "Chief of Staff"])
            _ = try await sandbox.admin(.POST, "/sandbox/employees/10011/terminate", ["termination_date": "2026-01-31"])
            var changed: [Employee] = []
            for try await page in client.employees(updatedSince: since) { changed += page.employees }
            #expect(Set(changed.map(\.id)) == [10010, 10011])
            #expect(changed.first { $0.id == 10010 }?.position == "Chief of Staff")
            #expect(changed.first { $0.id == 10011 }?.terminationDate == LocalDate("2026-01-31"))
        }
    }

    @Test func decodesEveryAttributeShapeIntoEmployee() async throws {
        try await withSandbox(employees: 120) { sandbox in
            let client = Self.client(sandbox)
            var people: [Employee] = []
            for try await page in client.employees() { people += page.employees }
            let someone = try #require(people.first { $0.supervisor != nil && $0.department != nil && $0.team != nil })
            #expect(someone.firstName?.isEmpty == false)
            #expect(someone.email?.contains("@") == true)
            #expect(someone.department?.id != nil)
            #expect(someone.department?.name.isEmpty == false)
            #expect(someone.supervisor?.email?.contains("@") == true)
            #expect(someone.hireDate != nil)
            #expect(someone.weeklyWorkingHours.map { $0 > 0 } == true)
            #expect(someone.createdAt != nil)
            #expect(someone.lastModifiedAt != nil)
            #expect(someone.custom["dynamic_1001"]?.label == "Phone")
            #expect(people.contains { if case .date = $0.custom["dynamic_1004"]?.value { true } else { false } })
            #expect(people.contains { if case .date = $0.custom["dynamic_1006"]?.value { true } else { false } }, "legacy date form")
            #expect(people.contains { $0.custom["dynamic_1006"]?.value == .empty })
            #expect(people.contains { $0.preferredName == nil }, "\"\" reads as nil")
            #expect(people.contains { $0.terminationDate == nil })
            #expect(people.contains { $0.status == .onboarding && ($0.hireDate.map { $0 > LocalDate("2026-01-01")! } ?? false) })
            #expect(people.contains { $0.status == .inactive })
            #expect(someone.readableAttributes.contains("department"))
        }
    }

    @Test func diagnosesAMissingRequiredAttributeWithWhereToFixIt() async throws {
        try await withSandbox { sandbox in
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "survey", "client_secret": "survey-secret", "name": "Survey",
                "readable_attributes": ["first_name", "last_name", "email", "hire_date"], "permissions": ["employees:read"],
            ])
            #expect(created.status == 201)
            let client = Self.client(sandbox, clientID: "survey", clientSecret: "survey-secret")
            let report = await client.diagnose(required: ["first_name", "last_name", "email", "department"], optional: ["hire_date", "position"])
            #expect(report.credentialsValid)
            #expect(!report.isConnected)
            #expect(report.missingRequired.map(\.key) == ["department"])
            #expect(report.missingRequired.first?.remedy
                == "In Personio, open Settings › Integrations › API credentials, edit this credential and "
                   + "tick ‘Department’ under Readable employee attributes.")
            #expect(report.attributes.first { $0.key == "hire_date" }?.readable == true)
            #expect(report.attributes.first { $0.key == "position" }?.readable == false)
            #expect(report.canWriteEmployees == false)
            #expect(report.employeeCount == 60)
            // fixed in Personio: connected
            _ = try await sandbox.admin(.PATCH, "/sandbox/credentials/survey", ["readable_attributes": ["first_name", "last_name", "email",
                                                                                                        "department"]])
            #expect(await client.diagnose(required: ["first_name", "last_name", "email", "department"]).isConnected)
        }
    }

    @Test func diagnosesAWrongSecret() async throws {
        try await withSandbox { sandbox in
            let report = await Self.client(sandbox, clientSecret: "nope").diagnose(required: ["first_name"])
            #expect(!report.credentialsValid)
            #expect(!report.isConnected)
            #expect(report.error == .invalidCredentials(status: 401))
            #expect(report.error?.remedy.contains("API credentials") == true)
        }
    }

    @Test func createsEmployeesAndReportsADuplicateEmail() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox)
            let id = try await client.createEmployee(NewEmployee(email: "ada@acme-gmbh.example", firstName: "Ada", lastName: "Lovelace",
                                                                 position: "Engineer", department: "Engineering", hireDate: LocalDate("2027-01-01")))
            let (created, _) = try await client.employee(id: id)
            #expect(created.status == .onboarding)
            #expect(created.department?.name == "Engineering")
            await #expect(throws: PersonioError.duplicateEmail("ada@acme-gmbh.example")) {
                _ = try await client.createEmployee(NewEmployee(email: "ada@acme-gmbh.example", firstName: "A", lastName: "L"))
            }
            await #expect(throws: PersonioError.supervisorNotFound(1)) {
                _ = try await client.createEmployee(NewEmployee(email: "b@acme-gmbh.example", firstName: "B", lastName: "L", supervisorId: 1))
            }
            try await client.updateEmployee(id: id, fields: ["position": "Lead Engineer"])
            #expect(try await client.employee(id: id).0.position == "Lead Engineer")
        }
    }

    @Test func aCreateIsNeverRepeatedAfterA5xxOrATimeoutButAReadIs() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox) { $0.requestTimeout = .seconds(1) }
            _ = try await client.attributes()
            // a 503: Personio may or may not have stored it; not repeated
            try await setFaults(sandbox, ["fail_next": 1])
            let before = await client.statistics.requests
            await #expect(throws: PersonioError.self) {
                _ = try await client.createEmployee(NewEmployee(email: "once@acme-gmbh.example", firstName: "O", lastName: "Nce"))
            }
            #expect(await client.statistics.requests - before == 1)
            // stored, answered too late: one employee, and the error says it was not repeated
            try await setFaults(sandbox, ["slow_writes_ms": 2000])
            do {
                _ = try await client.createEmployee(NewEmployee(email: "late@acme-gmbh.example", firstName: "L", lastName: "Ate"))
                Issue.record("expected the create to time out")
            } catch {
                #expect((error as? PersonioError)?.explanation.contains("not repeated") == true)
            }
            try await setFaults(sandbox, [:])
            #expect(try await client.employeeID(email: "late@acme-gmbh.example") != nil)
            // reads are retried as before
            try await setFaults(sandbox, ["fail_next": 2])
            #expect(try await client.attributes().count > 30)
        }
    }

    @Test func createsListsAndDeletesTimeOffs() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox)
            let types = try await client.timeOffTypes()
            let sick = try #require(types.first { $0.category == "sick_leave" })
            #expect(types.contains { $0.unit == .hour })
            let start = try #require(LocalDate("2027-04-12"))
            let period = try await client.createTimeOff(employeeID: 10002, typeID: sick.id, start: start, end: start.adding(days: 2),
                                                        halfDayEnd: true, comment: "flu")
            #expect(period.employeeID == 10002)
            #expect(period.startDate == start)
            let listed = try await client.timeOffs(from: start, to: start.adding(days: 1), employees: [10002])
            #expect(listed.map(\.id) == [period.id])
            try await client.deleteTimeOff(id: period.id)
            #expect(try await client.timeOffs(from: start, to: start.adding(days: 1), employees: [10002]).isEmpty)
            await #expect(throws: PersonioError.self) { try await client.deleteTimeOff(id: period.id) }
        }
    }

    @Test func createsListsAndDeletesHourUnitAbsencePeriods() async throws {
        try await withSandbox { sandbox in
            let client = Self.client(sandbox)
            let hourly = try #require(try await client.timeOffTypes().first { $0.unit == .hour })
            let daily = try #require(try await client.timeOffTypes().first { $0.unit == .day })
            let day = try #require(LocalDate("2027-05-03"))
            // within one day the times are required, and an hour type does not go to /time-offs
            await #expect(throws: PersonioError.self) {
                _ = try await client.createAbsencePeriod(employeeID: 10003, typeID: hourly.id, start: day, end: day)
            }
            await #expect(throws: PersonioError.self) {
                _ = try await client.createTimeOff(employeeID: 10003, typeID: hourly.id, start: day, end: day)
            }
            await #expect(throws: PersonioError.self) {
                _ = try await client.createAbsencePeriod(employeeID: 10003, typeID: daily.id, start: day, end: day, startTime: "09:00",
                                                         endTime: "11:00")
            }
            let period = try await client.createAbsencePeriod(employeeID: 10003, typeID: hourly.id, start: day, end: day,
                                                              startTime: "09:00", endTime: "11:30", comment: "dentist")
            #expect(period.id.count == 36, "a UUID")
            #expect(period.employeeID == 10003 && period.typeID == hourly.id && period.startDate == day)
            #expect(try await client.absencePeriods(from: day, to: day, employees: [10003]).map(\.id) == [period.id])
            #expect(try await client.timeOffs(from: day, to: day, employees: [10003]).isEmpty, "hour-unit absences are not time-offs")
            try await client.deleteAbsencePeriod(id: period.id)
            #expect(try await client.absencePeriods(from: day, to: day, employees: [10003]).isEmpty)
            await #expect(throws: PersonioError.self) { try await client.deleteAbsencePeriod(id: period.id) }
        }
    }

    @Test func noSecretOrTokenReachesLogsOrErrors() async throws {
        try await withSandbox { sandbox in
            let logs = LogCapture()
            let clock = VirtualClock()
            let client = Self.client(sandbox, clock: clock, logger: logs.logger())
            var texts: [String] = ["\(client.configuration.credentials)", String(reflecting: client.configuration.credentials)]
            _ = try await client.attributes()
            try await setFaults(sandbox, ["force_429_next": 1, "fail_next": 2])
            _ = try await client.attributes()
            sandbox.clock.advance(by: 86_401)
            _ = try await client.attributes()
            try await setFaults(sandbox, ["fail_next": 50])
            do { _ = try await client.attributes() } catch { texts += [String(describing: error), (error as? PersonioError)?.explanation ?? ""] }
            let wrong = Self.client(sandbox, clientSecret: "another-secret-value", logger: logs.logger())
            do { _ = try await wrong.attributes() } catch { texts.append(String(describing: error)) }
            let token = try await sandbox.token()
            texts += logs.all
            #expect(logs.all.count >= 4, "the faults above were logged")
            for text in texts {
                #expect(!text.contains(sandbox.clientSecret))
                #expect(!text.contains("another-secret-value"))
                #expect(!text.contains(token))
                #expect(!text.contains("papi-"))
            }
        }
    }
}
