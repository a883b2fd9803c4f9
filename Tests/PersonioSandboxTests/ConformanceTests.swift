import Foundation
import Testing
import TestSupport

/// Sandbox responses against the schemas in Personio's official OpenAPI files, read from
/// `../shared/personio-api/` beside the project (the project does not copy them).
@Suite("Conformance with Personio's OpenAPI files",
       .enabled(if: OpenAPIValidator.personioFilesPresent,
                "skipped: ../shared/personio-api/ (Personio's official OpenAPI files) is not beside the project"))
struct ConformanceTests {
    private func expectConforms(
        _ reply: SandboxHarness.Reply, to schema: Any?, in spec: OpenAPIValidator, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let schema = try #require(schema, "no schema for \(what)", sourceLocation: sourceLocation)
        let problems = spec.violations(of: try JSONValue.parse(reply.body), against: schema)
        #expect(problems.isEmpty, "\(what): \(problems.prefix(10).joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    @Test func theValidatorRejectsWhatDoesNotConform() throws {
        let spec = try #require(try OpenAPIValidator.personioPersonnelAPI())
        let schema = try #require(spec.component("EmployeesResponse"))
        let wrong = try JSONValue.parse(Data(#"{"success":true,"metadata":{"total_elements":"many"},"data":[{"attributes":{"status":{"type":"weird"}}}]}"#.utf8))
        let problems = spec.violations(of: wrong, against: schema)
        #expect(problems.contains { $0.contains("total_elements") })
        #expect(problems.contains { $0.contains("current_page") })
        #expect(problems.contains { $0.contains("weird") })
    }

    @Test func employeeResponsesConform() async throws {
        let spec = try #require(try OpenAPIValidator.personioPersonnelAPI())
        try await withSandbox(employees: 120) { sandbox in
            let token = try await sandbox.token()
            let list = try await sandbox.get("/v1/company/employees?limit=100", token: token)
            try expectConforms(list, to: spec.component("EmployeesResponse"), in: spec, "GET /company/employees")
            try expectConforms(list, to: spec.responseSchema(path: "/company/employees", method: "get", status: "200"), in: spec,
                               "GET /company/employees (operation schema)")
            let projected = try await sandbox.get("/v1/company/employees?limit=5&attributes[]=first_name&updated_since=2000-01-01", token: token)
            try expectConforms(projected, to: spec.component("EmployeesResponse"), in: spec, "GET /company/employees?updated_since")
            let single = try await sandbox.get("/v1/company/employees/10002", token: token)
            try expectConforms(single, to: spec.component("EmployeeResponse"), in: spec, "GET /company/employees/{id}")
            let attributes = try await sandbox.get("/v1/company/employees/attributes", token: token)
            // The file gives this operation an example but no schema: compare the shape.
            let example = try #require(spec.responseExample(path: "/company/employees/attributes", method: "get", status: "200") as? [String: Any])
            let exampleItem = try #require((example["data"] as? [Any])?.first as? [String: Any])
            let ours = try JSONValue.parse(attributes.body)
            #expect(ours["success"]?.bool == true)
            for item in ours["data"]?.array ?? [] {
                #expect(Set(item.object?.keys.map { $0 } ?? []) == Set(exampleItem.keys))
            }
            let created = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                "email": "c@acme-gmbh.example", "first_name": "C", "last_name": "D"]], headers: [("Authorization", "Bearer \(token)")])
            try expectConforms(created, to: spec.component("EmployeeCreatedResponse"), in: spec, "POST /company/employees")
            let updated = try await sandbox.json(.PATCH, "/v1/company/employees/10002", ["employee": ["last_name": "E"]],
                                                 headers: [("Authorization", "Bearer \(token)")])
            try expectConforms(updated, to: spec.component("EmployeeUpdatedResponse"), in: spec, "PATCH /company/employees/{id}")
        }
    }

    @Test func absenceResponsesConform() async throws {
        let spec = try #require(try OpenAPIValidator.personioPersonnelAPI())
        try await withSandbox(employees: 120) { sandbox in
            let token = try await sandbox.token()
            let bearer = [("Authorization", "Bearer \(token)")]
            let types = try await sandbox.get("/v1/company/time-off-types", token: token)
            try expectConforms(types, to: spec.responseSchema(path: "/company/time-off-types", method: "get", status: "200"), in: spec,
                               "GET /company/time-off-types")
            let list = try await sandbox.get("/v1/company/time-offs?limit=50", token: token)
            try expectConforms(list, to: spec.component("AbsencePeriodsResponse"), in: spec, "GET /company/time-offs")
            let created = try await sandbox.json(.POST, "/v1/company/time-offs", [
                "employee_id": 10010, "time_off_type_id": 1, "start_date": "2028-01-03", "end_date": "2028-01-05",
                "half_day_start": false, "half_day_end": false], headers: bearer)
            // The operation's schema nests `data` twice, contradicting its own example; the
            // component it references (AbsencePeriodResponse) matches the example.
            try expectConforms(created, to: spec.component("AbsencePeriodResponse"), in: spec, "POST /company/time-offs")
            let id = try #require(try JSONValue.parse(created.body)["data"]?["attributes"]?["id"]?.int)
            let single = try await sandbox.get("/v1/company/time-offs/\(id)", token: token)
            try expectConforms(single, to: spec.component("AbsencePeriodResponse"), in: spec, "GET /company/time-offs/{id}")
            let deleted = try await sandbox.request(.DELETE, "/v1/company/time-offs/\(id)", headers: bearer)
            try expectConforms(deleted, to: spec.component("DeletedAbsenceResponse"), in: spec, "DELETE /company/time-offs/{id}")
            let missing = try await sandbox.request(.DELETE, "/v1/company/time-offs/\(id)", headers: bearer)
            #expect(missing.status == 404)
            try expectConforms(missing, to: spec.component("ErrorAbsenceResponse"), in: spec, "DELETE unknown time-off")
        }
    }

    @Test func authAndErrorResponsesConform() async throws {
        let spec = try #require(try OpenAPIValidator.personioPersonnelAPI())
        let auth = try #require(try OpenAPIValidator.personioAuthAPI())
        try await withSandbox { sandbox in
            let token = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            try expectConforms(token, to: auth.component("AuthenticationTokenResponse"), in: auth, "POST /auth")
            let denied = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": "x"])
            try expectConforms(denied, to: spec.component("ErrorResponse"), in: spec, "POST /auth 401")
            let bearer = [("Authorization", "Bearer \(try await sandbox.token())")]
            let notFound = try await sandbox.request(.GET, "/v1/company/employees/1", headers: bearer)
            try expectConforms(notFound, to: spec.component("ErrorResponse"), in: spec, "GET unknown employee")
            let invalid = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                "email": "e@acme-gmbh.example", "first_name": "E", "last_name": "F", "supervisor_id": 1]], headers: bearer)
            #expect(invalid.status == 422)
            try expectConforms(invalid, to: spec.responseSchema(path: "/company/employees", method: "post", status: "422"), in: spec,
                               "POST /company/employees 422")
        }
    }
}
