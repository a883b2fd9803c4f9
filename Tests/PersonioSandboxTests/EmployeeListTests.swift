import Foundation
import Testing
import TestSupport

@Suite("GET /v1/company/employees")
struct EmployeeListTests {
    private func page(_ sandbox: SandboxHarness, _ query: String, token: String) async throws -> JSONValue {
        let reply = try await sandbox.get("/v1/company/employees\(query)", token: token)
        #expect(reply.status == 200, "\(reply.text)")
        return try JSONValue.parse(reply.body)
    }

    private func ids(_ page: JSONValue) -> [Int] {
        (page["data"]?.array ?? []).compactMap { $0["attributes"]?["id"]?["value"]?.int }
    }

    @Test func defaultsTo50PerPageWithItemOffsetMetadata() async throws {
        try await withSandbox(employees: 120) { sandbox in
            let token = try await sandbox.token()
            let first = try await page(sandbox, "", token: token)
            #expect(first["data"]?.array?.count == 50)
            #expect(first["metadata"]?["total_elements"]?.int == 120)
            #expect(first["metadata"]?["total_pages"]?.int == 3)
            #expect(first["metadata"]?["current_page"]?.int == 0)
            #expect(first["offset"]?.int == 0)
            #expect(first["limit"]?.int == 50)
            let second = try await page(sandbox, "?offset=50", token: token)
            #expect(second["metadata"]?["current_page"]?.int == 1)
            #expect(second["offset"]?.int == 50)
        }
    }

    @Test func pagingAt100VisitsEveryEmployeeOnceAndTheLastPageIsShort() async throws {
        try await withSandbox(employees: 250) { sandbox in
            let token = try await sandbox.token()
            var seen: [Int] = []
            var sizes: [Int] = []
            for offset in stride(from: 0, to: 250, by: 100) {
                let reply = try await page(sandbox, "?limit=100&offset=\(offset)", token: token)
                sizes.append(reply["data"]?.array?.count ?? -1)
                seen += ids(reply)
            }
            #expect(sizes == [100, 100, 50])
            #expect(seen.count == 250)
            #expect(Set(seen).count == 250)
        }
    }

    @Test func anOffsetAtOrPastTheEndGivesAnEmptyPage() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let token = try await sandbox.token()
            let atEnd = try await page(sandbox, "?limit=10&offset=30", token: token)
            #expect(atEnd["data"]?.array?.isEmpty == true)
            #expect(atEnd["metadata"]?["total_elements"]?.int == 30)
            #expect(atEnd["metadata"]?["current_page"]?.int == 3)
            let past = try await page(sandbox, "?limit=10&offset=500", token: token)
            #expect(past["data"]?.array?.isEmpty == true)
            #expect(past["metadata"]?["total_pages"]?.int == 3)
        }
    }

    @Test func rejectsLimitsAbove100AndBadNumbersWith400NamingTheParameter() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            for (query, field) in [("limit=101", "limit"), ("limit=0", "limit"), ("limit=abc", "limit"),
                                   ("offset=-1", "offset"), ("offset=x", "offset"), ("updated_since=yesterday", "updated_since")] {
                let reply = try await sandbox.get("/v1/company/employees?\(query)", token: token)
                #expect(reply.status == 400, "\(query)")
                let body = try JSONValue.parse(reply.body)
                #expect(body["success"]?.bool == false)
                #expect(body["error"]?["error_data"]?[field] != nil, "\(query): \(reply.text)")
            }
        }
    }

    @Test func filtersByEmailExactlyAndStillReturnsAList() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let all = try await page(sandbox, "?limit=1&offset=5", token: token)
            let email = try #require(all["data"]?[0]?["attributes"]?["email"]?["value"]?.string)
            let hit = try await page(sandbox, "?email=\(email.uppercased())", token: token)
            #expect(hit["data"]?.array?.count == 1)
            #expect(hit["data"]?[0]?["attributes"]?["email"]?["value"]?.string == email)
            let miss = try await page(sandbox, "?email=nobody@example.com", token: token)
            #expect(miss["data"]?.array?.isEmpty == true)
            #expect(miss["metadata"]?["total_elements"]?.int == 0)
        }
    }

    @Test func projectsToTheRequestedAttributesAndAlwaysIncludesId() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            for query in ["?limit=3&attributes[]=first_name&attributes[]=department",
                          "?limit=3&attributes%5B%5D=first_name&attributes%5B%5D=department"] {
                let reply = try await page(sandbox, query, token: token)
                for item in reply["data"]?.array ?? [] {
                    #expect(Set(item["attributes"]?.object?.keys.map { $0 } ?? []) == ["id", "first_name", "department"])
                }
                #expect(reply["data"]?.array?.count == 3)
            }
        }
    }

    @Test func rendersEveryAttributeShape() async throws {
        try await withSandbox(employees: 80) { sandbox in
            let token = try await sandbox.token()
            let list = try await page(sandbox, "?limit=80", token: token)
            let people = (list["data"]?.array ?? []).compactMap { $0["attributes"] }
            let someone = try #require(people.first { $0["supervisor"]?["value"]?.isNull == false && $0["department"]?["value"]?.isNull == false })
            // labelled supervisor, plain department
            #expect(someone["supervisor"]?["value"]?["type"]?.string == "Employee")
            #expect(someone["supervisor"]?["value"]?["attributes"]?["id"]?["label"]?.string == "ID")
            #expect(someone["supervisor"]?["value"]?["attributes"]?["id"]?["value"]?.int != nil)
            #expect(someone["department"]?["value"]?["type"]?.string == "Department")
            #expect(someone["department"]?["value"]?["attributes"]?["name"]?.string != nil)
            #expect(someone["department"]?["value"]?["attributes"]?["id"]?.int != nil)
            // dates with a colon offset, string hours, typed attributes
            let hire = try #require(someone["hire_date"]?["value"]?.string)
            #expect(hire.range(of: #"^\d{4}-\d{2}-\d{2}T00:00:00\+0[12]:00$"#, options: .regularExpression) != nil, "\(hire)")
            #expect(someone["hire_date"]?["type"]?.string == "date")
            #expect(someone["weekly_working_hours"]?["value"]?.string != nil)
            #expect(someone["id"]?["type"]?.string == "integer")
            #expect(someone["fix_salary"]?["currency"]?.string == "EUR")
            #expect(someone["cost_centers"]?["value"]?[0]?["type"]?.string == "CostCenter")
            #expect(someone["absence_entitlement"]?["value"]?[0]?["attributes"]?["category"]?.string != nil)
            #expect(someone["work_schedule"]?["value"]?["attributes"]?["monday"]?.string?.count == 5)
            // custom attributes: dynamic_<id>, new-style plain dates, tags as text
            #expect(someone["dynamic_1001"]?["label"]?.string == "Phone")
            #expect(someone["dynamic_1004"]?["value"]?.string?.count == 10)
            #expect(someone["dynamic_1004"]?["type"]?.string == "date")
            // empties: null for dates and objects, "" for strings
            let unterminated = try #require(people.first { $0["termination_date"]?["value"]?.isNull == true })
            #expect(unterminated["termination_type"]?["value"]?.string == "")
            #expect(people.contains { $0["team"]?["value"]?.isNull == true })
            #expect(people.contains { $0["preferred_name"]?["value"]?.string == "" })
            #expect(people.contains { $0["dynamic_1006"]?["value"]?.string?.contains("T00:00:00") == true })
            #expect(people.contains { $0["dynamic_1006"]?["value"]?.isNull == true })
            let statuses = Set(people.compactMap { $0["status"]?["value"]?.string })
            #expect(statuses.isSubset(of: ["active", "onboarding", "leave", "inactive"]))
            #expect(statuses.count >= 3)
        }
    }

    @Test func omitsAttributesTheCredentialMayNotReadEverywhere() async throws {
        try await withSandbox { sandbox in
            // given a credential without department and salary
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "name": "Limited", "readable_attributes": ["first_name", "last_name", "email", "status"],
                "permissions": ["employees:read"],
            ])
            #expect(created.status == 201)
            let secret = try #require(created.json["client_secret"] as? String)
            let clientId = try #require(created.json["client_id"] as? String)
            let token = try await sandbox.token(clientId: clientId, clientSecret: secret)
            // when
            let list = try await page(sandbox, "?limit=5&attributes[]=department&attributes[]=first_name", token: token)
            let single = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10001", token: token).body)
            let attributes = try JSONValue.parse(try await sandbox.get("/v1/company/employees/attributes", token: token).body)
            // then
            for item in list["data"]?.array ?? [] {
                #expect(Set(item["attributes"]?.object?.keys.map { $0 } ?? []) == ["id", "first_name"])
            }
            #expect(Set(single["data"]?["attributes"]?.object?.keys.map { $0 } ?? []) == ["id", "first_name", "last_name", "email", "status"])
            let keys = Set((attributes["data"]?.array ?? []).compactMap { $0["key"]?.string })
            #expect(keys == ["id", "first_name", "last_name", "email", "status"])
            let write = try await sandbox.json(.POST, "/v1/company/employees", ["employee": ["email": "x@y.example", "first_name": "A",
                                                                                             "last_name": "B"]],
                                               headers: [("Authorization", "Bearer \(token)")])
            #expect(write.status == 403)
        }
    }

    @Test func updatedSinceReturnsOnlyChangedPeopleAndWithAttributesOnlyThoseChanges() async throws {
        try await withSandbox(employees: 40) { sandbox in
            let token = try await sandbox.token()
            sandbox.clock.advance(by: 3600)
            let before = try await page(sandbox, "?updated_since=\(ISO.format(sandbox.clock.now))", token: token)
            #expect(before["data"]?.array?.isEmpty == true)
            // when
            sandbox.clock.advance(by: 60)
            _ = try await sandbox.admin(.PATCH, "/sandbox/employees/10003", ["last_name": "Meyer-Lüdenscheidt"])
            _ = try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["department": "Sales"])
            // then
            let stamp = ISO.format(sandbox.clock.now.addingTimeInterval(-30))
            let changed = try await page(sandbox, "?updated_since=\(stamp)", token: token)
            #expect(Set(ids(changed)) == [10003, 10004])
            let names = try await page(sandbox, "?updated_since=\(stamp)&attributes[]=last_name&attributes[]=first_name", token: token)
            #expect(ids(names) == [10003])
            #expect(names["data"]?[0]?["attributes"]?["last_name"]?["value"]?.string == "Meyer-Lüdenscheidt")
            let departments = try await page(sandbox, "?updated_since=\(stamp)&attributes[]=department", token: token)
            #expect(ids(departments) == [10004])
            let paged = try await page(sandbox, "?updated_since=\(stamp)&limit=1&offset=1", token: token)
            #expect(paged["metadata"]?["total_elements"]?.int == 2)
            #expect(paged["data"]?.array?.count == 1)
        }
    }
}

/// `2026-11-22T10:00:00Z`-style text for query parameters.
enum ISO {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date).replacingOccurrences(of: "+", with: "%2B")
    }
}
