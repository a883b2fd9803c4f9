import Foundation
import Testing
import TestSupport

@Suite("v2 writes: POST/PATCH /v2/persons, PATCH employments")
struct V2WriteTests {
    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func createsAPersonWithTheirEmploymentSeenByV1AndV2() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let created = try await sandbox.json(.POST, "/v2/persons", [
                "email": "ada.new@acme-gmbh.example", "first_name": "Ada", "last_name": "Neu", "gender": "FEMALE", "language_code": "de",
                "custom_attributes": [["id": "dynamic_1001", "value": "+49 89 555"]],
                "employments": [["employment_start_date": "2031-04-01", "position": ["title": "Data Engineer"], "supervisor": ["id": "10001"],
                                 "org_units": [["type": "department", "id": "101"]], "type": "INTERNAL", "weekly_working_hours": 32]],
            ], headers: bearer(token))
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let person = try JSONValue.parse(try await sandbox.get("/v2/persons/\(id)", token: token).body)
            #expect(person["gender"]?.string == "FEMALE")
            #expect(person["custom_attributes"]?.array?.first { $0["id"]?.string == "dynamic_1001" }?["value"]?.string == "+49 89 555")
            let employment = try JSONValue.parse(try await sandbox.get("/v2/persons/\(id)/employments", token: token).body)["_data"]?.array?.first
            #expect(employment?["position"]?["title"]?.string == "Data Engineer")
            #expect(employment?["status"]?.string == "ONBOARDING", "a future start date makes the person onboarding")
            #expect(employment?["supervisor"]?["id"]?.string == "10001")
            #expect(employment?["weekly_working_hours"]?.number == 32)
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees/\(id)",
                                                               token: try await sandbox.token()).body)["data"]?["attributes"]
            #expect(v1?["hire_date"]?["value"]?.string?.hasPrefix("2031-04-01") == true)
            #expect(v1?["department"]?["value"]?["attributes"]?["id"]?.int == 101)
            let again = try await sandbox.json(.POST, "/v2/persons", ["email": "ADA.NEW@acme-gmbh.example", "first_name": "A", "last_name": "N"],
                                               headers: bearer(token))
            #expect(again.status == 409, "the e-mail is taken")
        }
    }

    @Test func patchesAPersonAndTheirEmployment() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let renamed = try await sandbox.json(.PATCH, "/v2/persons/10004", ["last_name": "Berg", "preferred_name": "Bibi"], headers: bearer(token))
            #expect(renamed.status == 200, "\(renamed.text)")
            #expect(renamed.json["last_name"] as? String == "Berg")
            let person = try JSONValue.parse(try await sandbox.get("/v2/persons/10004", token: token).body)
            let employmentID = try #require(person["employments"]?.array?.first?["id"]?.string)
            let moved = try await sandbox.json(.PATCH, "/v2/persons/10004/employments/\(employmentID)", [
                "position": ["title": "Lead"], "office": ["id": "201"], "org_units": [["type": "team", "id": "401"]]], headers: bearer(token))
            #expect(moved.status == 200, "\(moved.text)")
            #expect((moved.json["position"] as? [String: Any])?["title"] as? String == "Lead")
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10004",
                                                               token: try await sandbox.token()).body)["data"]?["attributes"]
            #expect(v1?["last_name"]?["value"]?.string == "Berg")
            #expect(v1?["position"]?["value"]?.string == "Lead")
            #expect(v1?["office"]?["value"]?["attributes"]?["id"]?.int == 201)
            #expect(v1?["team"]?["value"]?["attributes"]?["id"]?.int == 401)
        }
    }

    @Test(arguments: [
        (#"{"first_name":"A","last_name":"B"}"#, "email"),
        (#"{"email":"x@acme-gmbh.example","first_name":"A","last_name":"B","nickname":"x"}"#, "nickname"),
        (#"{"email":"x@acme-gmbh.example","first_name":"A","last_name":"B","gender":"male"}"#, "gender"),
        (#"{"email":"not-an-email","first_name":"A","last_name":"B"}"#, "email"),
        (#"{"email":"x@acme-gmbh.example","first_name":"A","last_name":"B","employments":[{"office":{"id":"999"}}]}"#, "office.id"),
        (#"{"email":"x@acme-gmbh.example","first_name":"A","last_name":"B","employments":[{"salary":1}]}"#, "employments[0].salary"),
        (#"{"email":"x@acme-gmbh.example","first_name":"A","last_name":"B","employments":[{"employment_start_date":"1st of May"}]}"#,
         "employment_start_date"),
    ])
    func badCreatesAre422sNamingTheField(body: String, field: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.request(.POST, "/v2/persons", headers: bearer(try await sandbox.v2Token()), body: Data(body.utf8),
                                                  contentType: "application/json")
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(try JSONValue.parse(reply.body)["errors"]?.array?.first?["_meta"]?["field"]?.string == field, "\(reply.text)")
        }
    }

    @Test func writesNeedTheWriteScopeAndMalformedBodiesAre400() async throws {
        try await withSandbox { sandbox in
            let readOnly = try await sandbox.v2Token(scope: "personio:persons:read personio:employments:read")
            let refused = try await sandbox.json(.PATCH, "/v2/persons/10004", ["last_name": "X"], headers: bearer(readOnly))
            #expect(refused.status == 403)
            #expect(refused.text.contains("personio:persons:write"))
            let token = try await sandbox.v2Token()
            let broken = try await sandbox.request(.PATCH, "/v2/persons/10004", headers: bearer(token), body: Data("{".utf8),
                                                   contentType: "application/json")
            #expect(broken.status == 400)
            #expect(try await sandbox.json(.PATCH, "/v2/persons/99999", ["last_name": "X"], headers: bearer(token)).status == 404)
            let wrongEmployment = try await sandbox.json(.PATCH, "/v2/persons/10004/employments/\(PersonioTestIDs.otherUUID)",
                                                         ["position": ["title": "X"]], headers: bearer(token))
            #expect(wrongEmployment.status == 404)
        }
    }
}
