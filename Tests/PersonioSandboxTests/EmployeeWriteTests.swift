import Foundation
import Testing
import TestSupport

@Suite("Employee create, update, single, attributes, picture")
struct EmployeeWriteTests {
    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func createsFromJSONAndFromFormAndTheEmployeeIsListed() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            // when
            let json = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                "email": "ada.lovelace@acme-gmbh.example", "first_name": "Ada", "last_name": "Lovelace",
                "position": "Engineer", "department": "Engineering", "hire_date": "2020-01-15",
                "weekly_working_hours": 32, "supervisor_id": 10001, "custom_attributes": ["dynamic_1001": "+49 170 1234567"],
            ]], headers: bearer(token))
            let form = try await sandbox.form(.POST, "/v1/company/employees",
                "employee%5Bemail%5D=grace%40acme-gmbh.example&employee%5Bfirst_name%5D=Grace&employee%5Blast_name%5D=Hopper"
                    + "&employee%5Bhire_date%5D=2099-01-01",
                headers: bearer(token))
            // then
            #expect(json.status == 200, "\(json.text)")
            #expect(form.status == 200, "\(form.text)")
            let adaId = try #require((json.json["data"] as? [String: Any])?["id"] as? Int)
            let graceId = try #require((form.json["data"] as? [String: Any])?["id"] as? Int)
            #expect((json.json["data"] as? [String: Any])?["message"] as? String == "success")
            let ada = try JSONValue.parse(try await sandbox.get("/v1/company/employees/\(adaId)", token: token).body)["data"]?["attributes"]
            #expect(ada?["status"]?["value"]?.string == "active")
            #expect(ada?["department"]?["value"]?["attributes"]?["name"]?.string == "Engineering")
            #expect(ada?["supervisor"]?["value"]?["attributes"]?["id"]?["value"]?.int == 10001)
            #expect(ada?["weekly_working_hours"]?["value"]?.string == "32")
            #expect(ada?["dynamic_1001"]?["value"]?.string == "+49 170 1234567")
            let grace = try JSONValue.parse(try await sandbox.get("/v1/company/employees/\(graceId)", token: token).body)["data"]?["attributes"]
            #expect(grace?["status"]?["value"]?.string == "onboarding")
            let found = try JSONValue.parse(try await sandbox.get("/v1/company/employees?email=grace@acme-gmbh.example", token: token).body)
            #expect(found["data"]?[0]?["attributes"]?["id"]?["value"]?.int == graceId)
        }
    }

    @Test func refusesDuplicateEmailsMissingFieldsAndUnknownSupervisorsWith422() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let list = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=1", token: token).body)
            let taken = try #require(list["data"]?[0]?["attributes"]?["email"]?["value"]?.string)
            let cases: [([String: Any], String)] = [
                (["email": taken, "first_name": "A", "last_name": "B"], "email"),
                (["first_name": "A", "last_name": "B"], "email"),
                (["email": "new@acme-gmbh.example", "last_name": "B"], "first_name"),
                (["email": "new@acme-gmbh.example", "first_name": "A", "last_name": "B", "supervisor_id": 1], "supervisor_id"),
                (["email": "not-an-email", "first_name": "A", "last_name": "B"], "email"),
                (["email": "new@acme-gmbh.example", "first_name": "A", "last_name": "B", "hire_date": "01.02.2024"], "hire_date"),
                (["email": "new@acme-gmbh.example", "first_name": "A", "last_name": "B", "gender": "robot"], "gender"),
                (["email": "new@acme-gmbh.example", "first_name": "A", "last_name": "B", "status": "retired"], "status"),
            ]
            for (employee, field) in cases {
                let reply = try await sandbox.json(.POST, "/v1/company/employees", ["employee": employee], headers: bearer(token))
                #expect(reply.status == 422, "\(employee)")
                let body = try JSONValue.parse(reply.body)
                #expect(body["success"]?.bool == false)
                #expect(body["error"]?["error_data"]?[field] != nil, "\(field): \(reply.text)")
            }
            let supervisor = try await sandbox.json(.POST, "/v1/company/employees", ["employee": cases[3].0], headers: bearer(token))
            #expect(supervisor.text.contains("Supervisor with ID 1 not found"))
        }
    }

    @Test func ignoresUnknownDepartmentsWithAMetaNote() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                "email": "x@acme-gmbh.example", "first_name": "X", "last_name": "Y", "department": "Astronauts",
            ]], headers: bearer(token))
            #expect(reply.status == 200)
            #expect((reply.json["meta"] as? [String])?.first?.contains("Astronauts") == true)
        }
    }

    @Test func patchesAllowedFieldsIgnoresEmailAndStampsLastModified() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let before = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10005", token: token).body)["data"]?["attributes"]
            sandbox.clock.advance(by: 120)
            // when
            let reply = try await sandbox.json(.PATCH, "/v1/company/employees/10005", ["employee": [
                "last_name": "Neu", "position": "Head of Things", "email": "changed@acme-gmbh.example", "favourite_colour": "blue",
            ]], headers: bearer(token))
            // then
            #expect(reply.status == 200, "\(reply.text)")
            let after = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10005", token: token).body)["data"]?["attributes"]
            #expect(after?["last_name"]?["value"]?.string == "Neu")
            #expect(after?["position"]?["value"]?.string == "Head of Things")
            #expect(after?["email"]?["value"]?.string == before?["email"]?["value"]?.string)
            #expect(after?["last_modified_at"]?["value"]?.string != before?["last_modified_at"]?["value"]?.string)
            let unknown = try await sandbox.json(.PATCH, "/v1/company/employees/99999", ["employee": ["last_name": "X"]], headers: bearer(token))
            #expect(unknown.status == 404)
            let missing = try await sandbox.json(.PATCH, "/v1/company/employees/10005", ["last_name": "X"], headers: bearer(token))
            #expect(missing.status == 422)
            #expect(missing.text.contains("employee"))
        }
    }

    @Test func answersUnknownEmployeesWith404AndTheEnvelope() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            for path in ["/v1/company/employees/99999", "/v1/company/employees/abc"] {
                let reply = try await sandbox.get(path, token: token)
                #expect(reply.status == 404)
                #expect(reply.json["success"] as? Bool == false)
            }
        }
    }

    @Test func listsReadableAttributesWithTypesAndOptions() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try JSONValue.parse(try await sandbox.get("/v1/company/employees/attributes", token: token).body)
            let attributes = reply["data"]?.array ?? []
            let byKey = Dictionary(uniqueKeysWithValues: attributes.compactMap { item in item["key"]?.string.map { ($0, item) } })
            #expect(byKey["hire_date"]?["type"]?.string == "date")
            #expect(byKey["department"]?["label"]?.string == "Department")
            #expect(byKey["dynamic_1002"]?["options"]?.array?.count == 2)
            #expect(byKey["dynamic_1002"]?["universal_id"]?.isNull == true)
            #expect(attributes.count > 35)
        }
    }

    @Test func servesAGeneratedPNGOr404() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let list = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=60&attributes[]=profile_picture", token: token).body)
            let people = list["data"]?.array ?? []
            let withPicture = try #require(people.first { $0["attributes"]?["profile_picture"]?["value"]?.string?.isEmpty == false })
            let without = try #require(people.first { $0["attributes"]?["profile_picture"]?["value"]?.string == "" })
            let id = try #require(withPicture["attributes"]?["id"]?["value"]?.int)
            let picture = try await sandbox.get("/v1/company/employees/\(id)/profile-picture/64", token: token)
            #expect(picture.status == 200)
            #expect(picture.headers.first(name: "Content-Type") == "image/png")
            #expect(Array(picture.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            #expect(Array(picture.body[16..<20]) == [0, 0, 0, 64])  // IHDR width
            let plain = try await sandbox.get("/v1/company/employees/\(id)/profile-picture", token: token)
            #expect(plain.status == 200)
            let noneId = try #require(without["attributes"]?["id"]?["value"]?.int)
            #expect(try await sandbox.get("/v1/company/employees/\(noneId)/profile-picture/64", token: token).status == 404)
            #expect(try await sandbox.get("/v1/company/employees/\(id)/profile-picture/huge", token: token).status == 400)
        }
    }
}
