import Foundation
import Testing
import TestSupport

/// v2 responses against Personio's own v2 files (`../shared/personio-api/v2/` and
/// `common-components-v2.json`), with every property checked against the schema's list.
@Suite("Conformance with Personio's v2 OpenAPI files",
       .enabled(if: OpenAPIValidator.personioV2FilesPresent,
                """
                skipped: Personio's official v2 files are neither in ../shared/personio-api/v2/ nor in \
                .build/personio-api/v2/ (run scripts/personio-specs.sh)
                """))
struct V2ConformanceTests {
    private func spec(_ name: String) throws -> OpenAPIValidator {
        var spec = try #require(try OpenAPIValidator.personioV2(name))
        spec.strictProperties = true
        return spec
    }

    private func expectConforms(
        _ reply: SandboxHarness.Reply, _ spec: OpenAPIValidator, _ path: String, status: String,
        contentType: String = "application/json", sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(String(reply.status) == status, "\(path): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(reply.headers.first(name: "Content-Type")?.hasPrefix(contentType) == true, sourceLocation: sourceLocation)
        let schema = try #require(spec.responseSchema(path: path, method: "get", status: status, contentType: contentType)
                                  ?? spec.responseSchema(path: path, method: "post", status: status, contentType: contentType),
                                  "no schema for \(path) \(status)", sourceLocation: sourceLocation)
        let problems = spec.violations(of: try JSONValue.parse(reply.body), against: schema)
        #expect(problems.isEmpty, "\(path) \(status): \(problems.prefix(10).joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    @Test func theStrictValidatorRejectsAnUnknownPropertyAndAWrongFormat() throws {
        let spec = try spec("v2/persons-service-api-v2.json")
        let schema = try #require(spec.responseSchema(path: "/v2/persons/{id}", method: "get", status: "200"))
        let wrong = try JSONValue.parse(Data(#"{"id":"1","nickname":"x","created_at":"yesterday","gender":"ROBOT"}"#.utf8))
        let problems = spec.violations(of: wrong, against: schema)
        #expect(problems.contains { $0.contains("nickname") })
        #expect(problems.contains { $0.contains("date-time") })
        #expect(problems.contains { $0.contains("ROBOT") })
    }

    @Test func authResponsesConform() async throws {
        let spec = try spec("v2/credentials-service-api-v2.json")
        try await withSandbox { sandbox in
            let granted = try await sandbox.form(.POST, "/v2/auth/token",
                                                 "grant_type=client_credentials&client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            try expectConforms(granted, spec, "/v2/auth/token", status: "200")
            for form in ["client_id=x", "grant_type=client_credentials&client_id=client_who",
                         "grant_type=client_credentials&client_id=\(sandbox.clientId)&client_secret=no",
                         "grant_type=device_code&client_id=a&client_secret=b",
                         "grant_type=client_credentials&client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)&scope=fake:777"] {
                let refused = try await sandbox.form(.POST, "/v2/auth/token", form)
                try expectConforms(refused, spec, "/v2/auth/token", status: "400", contentType: "application/problem+json")
            }
        }
    }

    @Test func personAndEmploymentResponsesConform() async throws {
        let persons = try spec("v2/persons-service-api-v2.json")
        let employments = try spec("v2/employment-contract-v2.json")
        try await withSandbox(employees: 120) { sandbox in
            let token = try await sandbox.v2Token()
            // a terminated person and a future hire are among the 120; every person of two pages is checked
            for query in ["limit=50", "limit=50&cursor=\(try await cursorOfSecondPage(sandbox, token))", "status=INACTIVE&limit=50",
                          "email=nobody@example.com"] {
                try expectConforms(try await sandbox.get("/v2/persons?\(query)", token: token), persons, "/v2/persons", status: "200")
            }
            try expectConforms(try await sandbox.get("/v2/persons/10002", token: token), persons, "/v2/persons/{id}", status: "200")
            try expectConforms(try await sandbox.get("/v2/persons?created_at.lt=wrong-date-format", token: token), persons, "/v2/persons",
                               status: "400", contentType: "application/problem+json")
            try expectConforms(try await sandbox.get("/v2/persons?id.nooperator=1", token: token), persons, "/v2/persons",
                               status: "400", contentType: "application/problem+json")
            try expectConforms(try await sandbox.get("/v2/persons/99999", token: token), persons, "/v2/persons/{id}",
                               status: "404", contentType: "application/problem+json")
            for id in 10001...10120 {
                let list = try await sandbox.get("/v2/persons/\(id)/employments", token: token)
                try expectConforms(list, employments, "/v2/persons/{person_id}/employments", status: "200")
            }
            let employmentID = try #require(try JSONValue.parse(try await sandbox.get("/v2/persons/10002", token: token).body)["employments"]?
                .array?.first?["id"]?.string)
            try expectConforms(try await sandbox.get("/v2/persons/10002/employments/\(employmentID)", token: token), employments,
                               "/v2/persons/{person_id}/employments/{id}", status: "200")
            try expectConforms(try await sandbox.get("/v2/persons/10002/employments?limit=99", token: token), employments,
                               "/v2/persons/{person_id}/employments", status: "400", contentType: "application/problem+json")
            try expectConforms(try await sandbox.get("/v2/persons/99999/employments", token: token), employments,
                               "/v2/persons/{person_id}/employments", status: "404", contentType: "application/problem+json")
        }
    }

    @Test func writeResponsesConform() async throws {
        let common = OpenAPIValidator.personioCommonComponentsPresent ? try spec("common-components-v2.json") : nil
        let persons = try spec("v2/persons-service-api-v2.json")
        let employments = try spec("v2/employment-contract-v2.json")
        try await withSandbox { sandbox in
            let bearer = [("Authorization", "Bearer \(try await sandbox.v2Token())")]
            let created = try await sandbox.json(.POST, "/v2/persons", ["email": "c@acme-gmbh.example", "first_name": "C", "last_name": "D"],
                                                 headers: bearer)
            #expect(created.status == 201)
            if let common {  // only beside the project (the PyPI copy has no common components)
                let createdProblems = common.violations(of: try JSONValue.parse(created.body),
                                                        against: try #require(common.component("CreatedObject")))
                #expect(createdProblems.isEmpty, "\(createdProblems)")
            }
            let patched = try await sandbox.json(.PATCH, "/v2/persons/10002", ["first_name": "E"], headers: bearer)
            try expectConforms(patched, persons, "/v2/persons/{id}", status: "200")
            let employmentID = try #require(try JSONValue.parse(patched.body)["employments"]?.array?.first?["id"]?.string)
            let moved = try await sandbox.json(.PATCH, "/v2/persons/10002/employments/\(employmentID)", ["position": ["title": "F"]], headers: bearer)
            try expectConforms(moved, employments, "/v2/persons/{person_id}/employments/{id}", status: "200")
        }
    }

    @Test(.enabled(if: OpenAPIValidator.personioCommonComponentsPresent,
                   "skipped: common-components-v2.json is only in ../shared/personio-api/ (not in the PyPI copy)"))
    func errorBodiesHaveTheShapeOfTheCommonComponents() async throws {
        let common = try spec("common-components-v2.json")
        let schema = try #require(common.component("ErrorResponse"))
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            for path in ["/v2/persons/99999", "/v2/persons?limit=0", "/v2/nothing-here"] {
                let reply = try await sandbox.get(path, token: token)
                let problems = common.violations(of: try JSONValue.parse(reply.body), against: schema)
                #expect(problems.isEmpty, "\(path): \(problems.joined(separator: "; "))")
            }
            let unauthorized = try await sandbox.request(.GET, "/v2/persons")
            #expect(unauthorized.status == 401)
            #expect(common.violations(of: try JSONValue.parse(unauthorized.body), against: schema).isEmpty)
        }
    }

    private func cursorOfSecondPage(_ sandbox: SandboxHarness, _ token: String) async throws -> String {
        let first = try JSONValue.parse(try await sandbox.get("/v2/persons?limit=50", token: token).body)
        let next = try #require(first["_meta"]?["links"]?["next"]?["href"]?.string)
        return try #require(URLComponents(string: next)?.queryItems?.first { $0.name == "cursor" }?.value)
    }
}
