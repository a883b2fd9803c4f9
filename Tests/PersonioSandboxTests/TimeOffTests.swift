import Foundation
import Testing
import TestSupport

@Suite("Time-off types and time-offs")
struct TimeOffTests {
    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func listsTimeOffTypesWithUnitsAndCategories() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let types = try JSONValue.parse(try await sandbox.get("/v1/company/time-off-types", token: token).body)["data"]?.array ?? []
            let categories = Set(types.compactMap { $0["attributes"]?["category"]?.string })
            #expect(categories.isSuperset(of: ["paid_vacation", "sick_leave", "maternity_parental_leave", "unpaid_vacation"]))
            #expect(types.contains { $0["attributes"]?["unit"]?.string == "hour" })
            #expect(types.allSatisfy { $0["type"]?.string == "TimeOffType" })
        }
    }

    @Test func pagesTimeOffsWithAOneBasedOffsetAndTreatsZeroAsOne() async throws {
        try await withSandbox(employees: 200) { sandbox in
            let token = try await sandbox.token()
            let first = try JSONValue.parse(try await sandbox.get("/v1/company/time-offs?limit=5", token: token).body)
            let zero = try JSONValue.parse(try await sandbox.get("/v1/company/time-offs?limit=5&offset=0", token: token).body)
            let one = try JSONValue.parse(try await sandbox.get("/v1/company/time-offs?limit=5&offset=1", token: token).body)
            let two = try JSONValue.parse(try await sandbox.get("/v1/company/time-offs?limit=5&offset=2", token: token).body)
            #expect(first["metadata"]?["current_page"]?.int == 1)
            #expect(first["data"]?.array?.count == 5)
            let ids = { (page: JSONValue) in (page["data"]?.array ?? []).compactMap { $0["attributes"]?["id"]?.int } }
            #expect(ids(zero) == ids(one))
            #expect(ids(first) == ids(one))
            #expect(Set(ids(two)).isDisjoint(with: ids(one)))
            #expect(two["metadata"]?["current_page"]?.int == 2)
            let total = try #require(first["metadata"]?["total_elements"]?.int)
            #expect(first["metadata"]?["total_pages"]?.int == (total + 4) / 5)
        }
    }

    @Test func createsReadsFiltersAndDeletesATimeOff() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            // when
            let created = try await sandbox.form(.POST, "/v1/company/time-offs",
                "employee_id=10002&time_off_type_id=2&start_date=2027-03-01&end_date=2027-03-03&half_day_start=0&half_day_end=1&comment=Flu",
                headers: bearer(token))
            // then
            #expect(created.status == 200, "\(created.text)")
            let period = try JSONValue.parse(created.body)["data"]
            #expect(period?["type"]?.string == "TimeOffPeriod")
            let id = try #require(period?["attributes"]?["id"]?.int)
            #expect(period?["attributes"]?["half_day_end"]?.bool == true)
            #expect(period?["attributes"]?["days_count"]?.number == 2.5)
            #expect(period?["attributes"]?["employee"]?["attributes"]?["id"]?["value"]?.int == 10002)
            #expect(period?["attributes"]?["start_date"]?.string?.hasPrefix("2027-03-01T00:00:00+01:00") == true)
            let read = try await sandbox.get("/v1/company/time-offs/\(id)", token: token)
            #expect(read.status == 200)
            let filtered = try JSONValue.parse(try await sandbox.get(
                "/v1/company/time-offs?start_date=2027-03-02&end_date=2027-03-02&employees[]=10002", token: token).body)
            #expect((filtered["data"]?.array ?? []).compactMap { $0["attributes"]?["id"]?.int } == [id])
            let deleted = try await sandbox.request(.DELETE, "/v1/company/time-offs/\(id)", headers: bearer(token))
            #expect(deleted.status == 200)
            #expect(((deleted.json["data"] as? [String: Any])?["message"] as? String)?.contains("deleted") == true)
            #expect(try await sandbox.get("/v1/company/time-offs/\(id)", token: token).status == 404)
            #expect(try await sandbox.request(.DELETE, "/v1/company/time-offs/\(id)", headers: bearer(token)).status == 404)
        }
    }

    @Test func acceptsJSONAndBooleanFlags() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try await sandbox.json(.POST, "/v1/company/time-offs", [
                "employee_id": 10003, "time_off_type_id": 1, "start_date": "2027-05-10", "end_date": "2027-05-10",
                "half_day_start": true, "half_day_end": false, "skip_approval": false,
            ], headers: bearer(token))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try JSONValue.parse(reply.body)["data"]?["attributes"]?["status"]?.string == "pending")
        }
    }

    @Test func refusesBadTimeOffsWithTheRightStatus() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let base: [String: Any] = ["employee_id": 10004, "time_off_type_id": 1, "start_date": "2027-06-01", "end_date": "2027-06-02",
                                       "half_day_start": false, "half_day_end": false]
            #expect(try await sandbox.json(.POST, "/v1/company/time-offs", base, headers: bearer(token)).status == 200)
            let cases: [([String: Any], Int, String?)] = [
                (base, 422, "start_date"),  // overlaps the one above
                (base.merging(["time_off_type_id": 999]) { $1 }, 404, nil),
                (base.merging(["time_off_type_id": 5, "start_date": "2027-07-01", "end_date": "2027-07-01"]) { $1 }, 422, "time_off_type_id"),
                (base.merging(["start_date": "2027-08-05", "end_date": "2027-08-01"]) { $1 }, 422, "end_date"),
                (base.merging(["start_date": "tomorrow"]) { $1 }, 422, "start_date"),
                (base.merging(["half_day_start": "maybe", "start_date": "2027-09-01", "end_date": "2027-09-01"]) { $1 }, 422, "half_day_start"),
                (base.merging(["employee_id": 1]) { $1 }, 404, nil),
                (base.filter { $0.key != "employee_id" }, 422, "employee_id"),
            ]
            for (body, status, field) in cases {
                let reply = try await sandbox.json(.POST, "/v1/company/time-offs", body, headers: bearer(token))
                #expect(reply.status == status, "\(body): \(reply.text)")
                if let field {
                    #expect(try JSONValue.parse(reply.body)["error"]?["error_data"]?[field] != nil, "\(field): \(reply.text)")
                }
            }
        }
    }

    @Test func requiresAbsencePermissions() async throws {
        try await withSandbox { sandbox in
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", ["name": "People only", "permissions": ["employees:read"]])
            let token = try await sandbox.token(clientId: created.json["client_id"] as? String,
                                                clientSecret: created.json["client_secret"] as? String)
            let reply = try await sandbox.get("/v1/company/time-offs", token: token)
            #expect(reply.status == 403)
            #expect(reply.text.contains("absences:read"))
        }
    }
}
