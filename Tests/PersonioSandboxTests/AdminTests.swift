import Foundation
import PersonioSandbox
import Testing
import TestSupport

@Suite("Sandbox admin API")
struct AdminTests {
    @Test func requiresTheAdminToken() async throws {
        try await withSandbox { sandbox in
            let none = try await sandbox.request(.GET, "/sandbox")
            #expect(none.status == 401)
            #expect((none.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            let wrong = try await sandbox.request(.GET, "/sandbox/credentials", headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401)
            #expect(try await sandbox.admin(.GET, "/sandbox").status == 200)
        }
    }

    @Test func hiresAFutureStarterAsOnboardingAndUpdatedSinceSeesIt() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let before = ISO.format(sandbox.clock.now)
            sandbox.clock.advance(by: 10)
            // when
            let hired = try await sandbox.admin(.POST, "/sandbox/employees", [
                "first_name": "Zoë", "last_name": "Ångström", "email": "zoe.angstrom@acme-gmbh.example",
                "hire_date": "2099-02-01", "department": "Research", "dynamic_1003": "AT",
            ])
            // then
            #expect(hired.status == 201, "\(hired.text)")
            let id = try #require(hired.json["id"] as? Int)
            let changed = try JSONValue.parse(try await sandbox.get("/v1/company/employees?updated_since=\(before)", token: token).body)
            let person = try #require(changed["data"]?.array?.first { $0["attributes"]?["id"]?["value"]?.int == id })
            #expect(person["attributes"]?["status"]?["value"]?.string == "onboarding")
            #expect(person["attributes"]?["last_name"]?["value"]?.string == "Ångström")
            #expect(person["attributes"]?["department"]?["value"]?["attributes"]?["name"]?.string == "Research")
            #expect(person["attributes"]?["dynamic_1003"]?["value"]?.string == "AT")
        }
    }

    @Test func updatesAnyAttributeIncludingEmailAndStatus() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try await sandbox.admin(.PATCH, "/sandbox/employees/10006", [
                "last_name": "Meyer", "status": "leave", "email": "new.address@acme-gmbh.example", "office": "Wien",
                "termination_date": nil as String? as Any,
            ])
            #expect(reply.status == 200, "\(reply.text)")
            #expect((reply.json["changed"] as? [String])?.contains("email") == true)
            let person = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10006", token: token).body)["data"]?["attributes"]
            #expect(person?["status"]?["value"]?.string == "leave")
            #expect(person?["email"]?["value"]?.string == "new.address@acme-gmbh.example")
            #expect(person?["office"]?["value"]?["attributes"]?["name"]?.string == "Wien")
        }
    }

    @Test func terminatesTodayAsInactiveAndInTheFutureAsStillActive() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let summary = try await sandbox.admin(.GET, "/sandbox")
            let today = try #require(summary.json["today"] as? String)
            _ = try await sandbox.admin(.PATCH, "/sandbox/employees/10007", ["status": "active"])
            _ = try await sandbox.admin(.PATCH, "/sandbox/employees/10008", ["status": "active"])
            // when
            let now = try await sandbox.admin(.POST, "/sandbox/employees/10007/terminate", ["termination_date": today])
            let later = try await sandbox.admin(.POST, "/sandbox/employees/10008/terminate",
                                                ["termination_date": "2099-12-31", "termination_reason": "Relocation"])
            // then
            #expect(now.status == 200)
            #expect(later.status == 200)
            let left = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10007", token: token).body)["data"]?["attributes"]
            #expect(left?["status"]?["value"]?.string == "inactive")
            #expect(left?["termination_date"]?["value"]?.string?.hasPrefix(today) == true)
            #expect(left?["last_working_day"]?["value"]?.string?.hasPrefix(today) == true)
            let leaving = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10008", token: token).body)["data"]?["attributes"]
            #expect(leaving?["status"]?["value"]?.string == "active")
            #expect(leaving?["termination_reason"]?["value"]?.string == "Relocation")
            let bad = try await sandbox.admin(.POST, "/sandbox/employees/10008/terminate", ["termination_date": "soon"])
            #expect(bad.status == 422)
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "termination_date")
        }
    }

    @Test func deletesAnEmployeeSoTheyAreNoLongerReturned() async throws {
        try await withSandbox(employees: 20) { sandbox in
            let token = try await sandbox.token()
            #expect(try await sandbox.admin(.DELETE, "/sandbox/employees/10009").status == 204)
            #expect(try await sandbox.get("/v1/company/employees/10009", token: token).status == 404)
            let list = try JSONValue.parse(try await sandbox.get("/v1/company/employees", token: token).body)
            #expect(list["metadata"]?["total_elements"]?.int == 19)
            #expect(try await sandbox.admin(.DELETE, "/sandbox/employees/10009").status == 404)
        }
    }

    @Test func managesCredentialsWithoutEverListingSecrets() async throws {
        try await withSandbox { sandbox in
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "clockodo", "client_secret": "clockodo-secret-123", "name": "Clockodo",
                "readable_attributes": ["first_name", "last_name", "email"],
            ])
            #expect(created.status == 201)
            #expect(created.json["client_secret"] as? String == "clockodo-secret-123")
            let list = try await sandbox.admin(.GET, "/sandbox/credentials")
            #expect(list.text.contains("clockodo"))
            #expect(!list.text.contains("clockodo-secret-123"))
            #expect(!list.text.contains(sandbox.clientSecret))
            let duplicate = try await sandbox.admin(.POST, "/sandbox/credentials", ["client_id": "clockodo"])
            #expect(duplicate.status == 409)
            // widen the whitelist: the new attribute shows at once
            let token = try await sandbox.token(clientId: "clockodo", clientSecret: "clockodo-secret-123")
            let patched = try await sandbox.admin(.PATCH, "/sandbox/credentials/clockodo",
                                                  ["readable_attributes": ["first_name", "last_name", "email", "department"]])
            #expect(patched.status == 200)
            let person = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10001", token: token).body)
            #expect(person["data"]?["attributes"]?["department"] != nil)
            let unknown = try await sandbox.admin(.PATCH, "/sandbox/credentials/clockodo", ["readable_attributes": ["shoe_size"]])
            #expect(unknown.status == 422)
            #expect((unknown.json["error"] as? [String: Any])?["field"] as? String == "readable_attributes")
            let badPermission = try await sandbox.admin(.PATCH, "/sandbox/credentials/clockodo", ["permissions": ["everything"]])
            #expect(badPermission.status == 422)
            #expect(try await sandbox.admin(.DELETE, "/sandbox/credentials/clockodo").status == 204)
            #expect(try await sandbox.get("/v1/company/employees/10001", token: token).status == 401)
            #expect(try await sandbox.admin(.GET, "/sandbox/credentials/clockodo").status == 404)
        }
    }

    @Test func refusesBadAdminInputNamingTheField() async throws {
        try await withSandbox { sandbox in
            let malformed = try await sandbox.request(.POST, "/sandbox/employees", headers: [("Authorization", "Bearer \(sandbox.adminToken)")],
                                                      body: Data("{nope".utf8), contentType: "application/json")
            #expect(malformed.status == 400)
            let cases: [([String: Any], String)] = [
                (["first_name": "A", "last_name": "B"], "email"),
                (["first_name": "A", "last_name": "B", "email": "a@b.example", "shoe_size": 44], "shoe_size"),
                (["first_name": "A", "last_name": "B", "email": "a@b.example", "hire_date": 2024], "hire_date"),
                (["first_name": "A", "last_name": "B", "email": "a@b.example", "dynamic_1002": "Zero-hours"], "dynamic_1002"),
                (["first_name": "A", "last_name": "B", "email": "a@b.example", "dynamic_9999": "x"], "dynamic_9999"),
            ]
            for (body, field) in cases {
                let reply = try await sandbox.admin(.POST, "/sandbox/employees", body)
                #expect(reply.status == 422, "\(body)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == field, "\(reply.text)")
            }
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/424242", ["last_name": "X"]).status == 404)
        }
    }
}

@Suite("Bad input")
struct BadInputTests {
    @Test func unknownRoutesGetThePersonioEnvelope() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.request(.GET, "/v1/company/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.json["success"] as? Bool == false)
            #expect(((reply.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            for body in ["{\"employee\": ", "[1,2]", "\"text\""] {
                let reply = try await sandbox.request(.POST, "/v1/company/employees", headers: [("Authorization", "Bearer \(token)")],
                                                      body: Data(body.utf8), contentType: "application/json")
                #expect(reply.status == 400, "\(body)")
                #expect(reply.json["success"] as? Bool == false)
            }
            let auth = try await sandbox.request(.POST, "/v1/auth", body: Data("{oops".utf8), contentType: "application/json")
            #expect(auth.status == 400)
        }
    }

    @Test func wrongTypesAre422() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try await sandbox.json(.POST, "/v1/company/employees", ["employee": "Ada"], headers: [("Authorization", "Bearer \(token)")])
            #expect(reply.status == 422)
            let hours = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                "email": "h@acme-gmbh.example", "first_name": "H", "last_name": "W", "weekly_working_hours": "lots"]],
                headers: [("Authorization", "Bearer \(token)")])
            #expect(hours.status == 422)
            #expect(hours.text.contains("weekly_working_hours"))
        }
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let huge = Data(("{\"employee\":{\"first_name\":\"" + String(repeating: "x", count: 200_000) + "\"}}").utf8)
            let reply = try await sandbox.request(.POST, "/v1/company/employees", headers: [("Authorization", "Bearer \(token)")],
                                                  body: huge, contentType: "application/json")
            #expect(reply.status == 413)
            #expect(reply.json["success"] as? Bool == false)
        }
    }
}

@Suite("Persistence")
struct PersistenceTests {
    @Test func aDataFileKeepsChangesAcrossRestarts() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let id = try await withSandbox(employees: 10, dataFile: path) { sandbox in
            let hired = try await sandbox.admin(.POST, "/sandbox/employees", ["first_name": "Kept", "last_name": "Across",
                                                                              "email": "kept@acme-gmbh.example"])
            return try #require(hired.json["id"] as? Int)
        }
        #expect(FileManager.default.fileExists(atPath: path))
        try await withSandbox(employees: 500, dataFile: path) { sandbox in
            let token = try await sandbox.token()
            let person = try JSONValue.parse(try await sandbox.get("/v1/company/employees/\(id)", token: token).body)
            #expect(person["data"]?["attributes"]?["last_name"]?["value"]?.string == "Across")
            let list = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=1", token: token).body)
            #expect(list["metadata"]?["total_elements"]?.int == 11, "loaded from the file, not regenerated with 500")
        }
    }
}

@Suite("Start-up")
struct StartUpTests {
    @Test func aBusyPortIsNamedWithTheFix() async throws {
        try await withSandbox(employees: 1) { sandbox in
            let port = try #require(Int(sandbox.baseURL.split(separator: ":").last ?? ""))
            let second = try await SandboxServer(configuration: SandboxConfiguration(
                employeeCount: 1, clientId: "c", clientSecret: "s", adminToken: "a"))
            do {
                try await second.start(port: port)
                Issue.record("a second sandbox started on a busy port")
            } catch let error as SandboxStartError {
                #expect(error.description.contains("Port \(port)"))
                #expect(error.description.contains("--port"))
            }
            try await second.shutdown()
        }
    }
}
