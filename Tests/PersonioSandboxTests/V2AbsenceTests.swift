import Foundation
import Testing
import TestSupport

@Suite("v2 absence types, absence periods, org units and legal entities")
struct V2AbsenceTests {
    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func absenceTypesListWithIdsThatAbsencePeriodsUse() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let types = try JSONValue.parse(try await sandbox.get("/v2/absence-types", token: token).body)["_data"]?.array ?? []
            #expect(types.count == 5)
            let sick = try #require(types.first { $0["name"]?.string == "Sick leave" })
            #expect(sick["unit"]?.string == "DAY")
            #expect(types.first { $0["name"]?.string == "Doctor's appointment" }?["unit"]?.string == "HOUR")
            let paged = try JSONValue.parse(try await sandbox.get("/v2/absence-types?limit=2", token: token).body)
            #expect(paged["_data"]?.array?.count == 2)
            #expect(paged["_meta"]?["links"]?["next"] != nil)
        }
    }

    @Test func createsListsFiltersAndDeletesAnAbsencePeriodSeenByV1Too() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let types = try JSONValue.parse(try await sandbox.get("/v2/absence-types", token: token).body)["_data"]?.array ?? []
            let sickID = try #require(types.first { $0["name"]?.string == "Sick leave" }?["id"]?.string)
            let created = try await sandbox.json(.POST, "/v2/absence-periods", [
                "person": ["id": "10004"], "absence_type": ["id": sickID],
                "starts_from": ["date_time": "2027-02-01T00:00:00"], "ends_at": ["date_time": "2027-02-02T00:00:00", "type": "FIRST_HALF"],
                "comment": "flu"], headers: bearer(token))
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let listed = try JSONValue.parse(try await sandbox.get("/v2/absence-periods?person.id=10004&starts_from.gte=2027-01-01",
                                                                   token: token).body)
            let period = try #require(listed["_data"]?.array?.first { $0["id"]?.string == id })
            #expect(period["absence_type"]?["id"]?.string == sickID)
            #expect(period["ends_at"]?["type"]?.string == "FIRST_HALF")
            #expect(period["approval"]?["status"]?.string == "APPROVED")
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/time-offs?employees[]=10004&start_date=2027-02-01&end_date=2027-02-28",
                                                                token: try await sandbox.token()).body)
            let timeOff = try #require(v1["data"]?.array?.first { $0["attributes"]?["id_v2"]?.string == id })
            #expect(timeOff["attributes"]?["half_day_end"]?.bool == true)
            let single = try await sandbox.get("/v2/absence-periods/\(id)", token: token)
            #expect(single.status == 200)
            let deleted = try await sandbox.request(.DELETE, "/v2/absence-periods/\(id)", headers: bearer(token))
            #expect(deleted.status == 204)
            #expect(try await sandbox.get("/v2/absence-periods/\(id)", token: token).status == 404)
            #expect(try await sandbox.request(.DELETE, "/v2/absence-periods/\(id)", headers: bearer(token)).status == 404)
        }
    }

    @Test(arguments: [
        (#"{"absence_type":{"id":"x"}}"#, "person.id"),
        (#"{"person":{"id":"10004"},"absence_type":{"id":"nope"}}"#, "absence_type.id"),
        (#"{"person":{"id":"10004"},"absence_type":{"id":"9bba303f-0fbc-4514-9958-000000000002"},"starts_from":{"date_time":"soon"}}"#,
         "starts_from.date_time"),
        (#"{"person":{"id":"99999"},"absence_type":{"id":"9bba303f-0fbc-4514-9958-000000000002"},"starts_from":{"date_time":"2027-02-01T00:00:00"},"ends_at":{"date_time":"2027-02-01T00:00:00"}}"#,
         "person.id"),
        (#"{"person":{"id":"10004"},"absence_type":{"id":"9bba303f-0fbc-4514-9958-000000000002"},"starts_from":{"date_time":"2027-02-03T00:00:00"},"ends_at":{"date_time":"2027-02-01T00:00:00"}}"#,
         "ends_at.date_time"),
        (#"{"person":{"id":"10004"},"mood":"ill"}"#, "mood"),
    ])
    func badAbsencePeriodsAre422sNamingTheField(body: String, field: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.request(.POST, "/v2/absence-periods", headers: bearer(try await sandbox.v2Token()),
                                                  body: Data(body.utf8), contentType: "application/json")
            #expect(reply.status == 422, "\(reply.text)")
            #expect(try JSONValue.parse(reply.body)["errors"]?.array?.first?["_meta"]?["field"]?.string == field, "\(reply.text)")
        }
    }

    @Test func absenceRoutesNeedTheAbsenceScopes() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token(scope: "personio:persons:read")
            let refused = try await sandbox.get("/v2/absence-periods", token: token)
            #expect(refused.status == 403)
            #expect(refused.text.contains("personio:absences:read"))
        }
    }

    @Test func orgUnitsAndLegalEntitiesNameTheIdsAnEmploymentCarries() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let employment = try JSONValue.parse(try await sandbox.get("/v2/persons/10002/employments", token: token).body)["_data"]?.array?.first
            let departmentID = try #require(employment?["org_units"]?.array?.first { $0["type"]?.string == "department" }?["id"]?.string)
            let unit = try JSONValue.parse(try await sandbox.get("/v2/org-units/\(departmentID)", token: token).body)
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10002",
                                                               token: try await sandbox.token()).body)["data"]?["attributes"]
            #expect(unit["name"]?.string == v1?["department"]?["value"]?["attributes"]?["name"]?.string)
            let teams = try JSONValue.parse(try await sandbox.get("/v2/org-units?type=team&limit=100", token: token).body)["_data"]?.array ?? []
            #expect(!teams.isEmpty && teams.allSatisfy { $0["type"]?.string == "team" })
            let legalID = try #require(employment?["legal_entity"]?["id"]?.string)
            let entity = try JSONValue.parse(try await sandbox.get("/v2/legal-entities/\(legalID)", token: token).body)
            #expect(entity["name"]?.string == v1?["subcompany"]?["value"]?["attributes"]?["name"]?.string)
            #expect(try await sandbox.get("/v2/org-units?type=office", token: token).status == 400)
            #expect(try await sandbox.get("/v2/org-units/424242", token: token).status == 404)
        }
    }
}

@Suite("v2 filters not covered elsewhere")
struct V2RemainingFilterTests {
    private func ids(_ sandbox: SandboxHarness, _ path: String, token: String) async throws -> [String] {
        let reply = try await sandbox.get(path, token: token)
        #expect(reply.status == 200, "\(path): \(reply.text)")
        return (try JSONValue.parse(reply.body)["_data"]?.array ?? []).compactMap { $0["id"]?.string }
    }

    @Test func personEmploymentAbsenceAndUnitFilters() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let token = try await sandbox.v2Token()
            // preferred_name, updated_at exact and .lt
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10006", ["preferred_name": "Mimi"]).status == 200)
            #expect(try await ids(sandbox, "/v2/persons?preferred_name=Mimi", token: token) == ["10006"])
            let person = try JSONValue.parse(try await sandbox.get("/v2/persons/10006", token: token).body)
            let updated = try #require(person["updated_at"]?.string)
            #expect(try await ids(sandbox, "/v2/persons?updated_at=\(updated)&limit=50", token: token).contains("10006"))
            #expect(!(try await ids(sandbox, "/v2/persons?updated_at.lt=\(updated)&limit=50", token: token).contains("10006")))
            // employments by id
            let employmentID = try #require(person["employments"]?.array?.first?["id"]?.string)
            #expect(try await ids(sandbox, "/v2/persons/10006/employments?id=\(employmentID)", token: token) == [employmentID])
            #expect(try await ids(sandbox, "/v2/persons/10006/employments?id=\(PersonioTestIDs.otherUUID)", token: token).isEmpty)
            // absence periods by type, end and update time
            let types = try JSONValue.parse(try await sandbox.get("/v2/absence-types", token: token).body)["_data"]?.array ?? []
            let sick = try #require(types.first { $0["name"]?.string == "Sick leave" }?["id"]?.string)
            let vacation = try #require(types.first { $0["name"]?.string == "Paid vacation" }?["id"]?.string)
            sandbox.clock.advance(by: 60)
            let before = ISO8601DateFormatter().string(from: sandbox.clock.now)
            sandbox.clock.advance(by: 60)
            let created = try await sandbox.json(.POST, "/v2/absence-periods", [
                "person": ["id": "10006"], "absence_type": ["id": sick],
                "starts_from": ["date_time": "2032-05-03T00:00:00"], "ends_at": ["date_time": "2032-05-04T00:00:00"]],
                headers: [("Authorization", "Bearer \(token)")])
            let id = try #require(created.json["id"] as? String)
            #expect(try await ids(sandbox, "/v2/absence-periods?absence_type.id=\(sick)&person.id=10006&limit=100", token: token).contains(id))
            #expect(!(try await ids(sandbox, "/v2/absence-periods?absence_type.id=\(vacation)&limit=100", token: token).contains(id)))
            #expect(try await ids(sandbox, "/v2/absence-periods?updated_at.gt=\(before)&limit=100", token: token) == [id])
            #expect(!(try await ids(sandbox, "/v2/absence-periods?ends_at.lte=2032-05-03&limit=100", token: token).contains(id)))
            #expect(try await ids(sandbox, "/v2/absence-periods?ends_at.lte=2032-05-04&starts_from.gte=2032-05-03&limit=100", token: token) == [id])
            // units: by id, and the legal entities list
            let employment = try JSONValue.parse(try await sandbox.get("/v2/persons/10006/employments/\(employmentID)", token: token).body)
            let department = try #require(employment["org_units"]?.array?.first { $0["type"]?.string == "department" }?["id"]?.string)
            #expect(try await ids(sandbox, "/v2/org-units?id=\(department)", token: token) == [department])
            let legal = try #require(employment["legal_entity"]?["id"]?.string)
            #expect(try await ids(sandbox, "/v2/legal-entities?limit=100", token: token).contains(legal))
            #expect(try await ids(sandbox, "/v2/legal-entities?id=\(legal)", token: token) == [legal])
        }
    }
}
