import Foundation
import Testing
import TestSupport

@Suite("GET /v2/persons and employments")
struct V2PersonsTests {
    /// Every person of a listing, following `next` links until there is none.
    private func allPersons(_ sandbox: SandboxHarness, token: String, query: String) async throws -> (persons: [JSONValue], pages: Int) {
        var persons: [JSONValue] = []
        var path: String? = "/v2/persons?\(query)"
        var pages = 0
        while let current = path {
            let reply = try await sandbox.get(current, token: token)
            #expect(reply.status == 200, "\(reply.text)")
            let page = try JSONValue.parse(reply.body)
            persons += page["_data"]?.array ?? []
            pages += 1
            path = page["_meta"]?["links"]?["next"]?["href"]?.string.map { $0.replacingOccurrences(of: sandbox.baseURL, with: "") }
            if pages > 100 { Issue.record("more than 100 pages"); break }
        }
        return (persons, pages)
    }

    @Test func pagesThroughTheSamePeopleAsV1WithTheSameIds() async throws {
        try await withSandbox(employees: 60) { sandbox in
            let token = try await sandbox.v2Token()
            let (persons, pages) = try await allPersons(sandbox, token: token, query: "limit=25")
            #expect(pages == 3)
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=100", token: try await sandbox.token()).body)
            let v1IDs = (v1["data"]?.array ?? []).compactMap { $0["attributes"]?["id"]?["value"]?.int }.map(String.init)
            #expect(persons.compactMap { $0["id"]?.string } == v1IDs)
            let first = try JSONValue.parse(try await sandbox.get("/v2/persons", token: token).body)
            #expect(first["_data"]?.array?.count == 10, "the default limit is 10")
            let next = try #require(first["_meta"]?["links"]?["next"]?["href"]?.string)
            #expect(next.hasPrefix(sandbox.baseURL + "/v2/persons?"), "next is absolute by default")
            #expect(next.contains("cursor=cur_"))
        }
    }

    @Test func theLastPageHasNoNextAndAnEmptyListingIsOnePage() async throws {
        try await withSandbox(employees: 20) { sandbox in
            let token = try await sandbox.v2Token()
            let whole = try JSONValue.parse(try await sandbox.get("/v2/persons?limit=20", token: token).body)
            #expect(whole["_data"]?.array?.count == 20)
            #expect(whole["_meta"]?["links"]?["next"] == nil)
            #expect(whole["_meta"]?["links"]?["self"]?["href"]?.string?.contains("/v2/persons") == true)
            let none = try JSONValue.parse(try await sandbox.get("/v2/persons?email=nobody@example.com", token: token).body)
            #expect(none["_data"]?.array?.isEmpty == true)
            #expect(none["_meta"]?["links"]?["next"] == nil)
        }
    }

    @Test func switchesMakeNextLinksRelativeAndCursorsRepeat() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let token = try await sandbox.v2Token()
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["v2_next_link": "relative", "v2_repeat_cursor_next": 1]).status == 200)
            let first = try JSONValue.parse(try await sandbox.get("/v2/persons?limit=10", token: token).body)
            let next = try #require(first["_meta"]?["links"]?["next"]?["href"]?.string)
            #expect(next.hasPrefix("/v2/persons?"))
            let second = try JSONValue.parse(try await sandbox.get(next, token: token).body)
            let repeated = try #require(second["_meta"]?["links"]?["next"]?["href"]?.string)
            #expect(repeated == next, "the switch makes page two point at itself")
            let again = try JSONValue.parse(try await sandbox.get(repeated, token: token).body)
            #expect(again["_meta"]?["links"]?["next"]?["href"]?.string != repeated, "only once")
        }
    }

    @Test func everyFilterSelectsAndCombines() async throws {
        try await withSandbox(employees: 60) { sandbox in
            let token = try await sandbox.v2Token()
            let (everyone, _) = try await allPersons(sandbox, token: token, query: "limit=50")
            let a = everyone[3], b = everyone[7]
            func ids(_ query: String) async throws -> [String] {
                try await allPersons(sandbox, token: token, query: query).persons.compactMap { $0["id"]?.string }
            }
            let idA = try #require(a["id"]?.string), idB = try #require(b["id"]?.string)
            #expect(try await ids("id=\(idA),\(idB)") == [idA, idB])
            let emailA = try #require(a["email"]?.string)
            #expect(try await ids("email=\(emailA.uppercased()),\(b["email"]?.string ?? "")") == [idA, idB])
            let first = try #require(a["first_name"]?.string), last = try #require(a["last_name"]?.string)
            func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
            let byName = try await ids("first_name=\(encoded(first))&last_name=\(encoded(last))")
            #expect(byName.contains(idA) && byName.allSatisfy { id in everyone.first { $0["id"]?.string == id }?["last_name"]?.string == last })
            let inactive = try await ids("status=INACTIVE&limit=50")
            let active = try await ids("status=ACTIVE&limit=50")
            #expect(inactive.count + active.count == 60 && !inactive.isEmpty)
            #expect(Set(inactive) == Set(everyone.filter { $0["status"]?.string == "INACTIVE" }.compactMap { $0["id"]?.string }))
            // created_at: exact, after, before
            let created = try #require(a["created_at"]?.string)
            #expect(try await ids("created_at=\(created)&id=\(idA)") == [idA])
            let after = try await ids("created_at.gt=\(created)&limit=50")
            let before = try await ids("created_at.lt=\(created)&limit=50")
            #expect(!after.contains(idA) && !before.contains(idA))
            #expect(after.count + before.count < 60)
        }
    }

    @Test func updatedAtFollowsThePersonWhileTheEmploymentKeepsItsOwn() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let token = try await sandbox.v2Token()
            sandbox.clock.advance(by: 60)
            let since = ISO8601DateFormatter().string(from: sandbox.clock.now)
            sandbox.clock.advance(by: 60)
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Neumann"]).status == 200)
            #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10005", ["position": "Head of Snacks"]).status == 200)
            let changed = try await allPersons(sandbox, token: token, query: "updated_at.gt=\(since)").persons
            #expect(changed.compactMap { $0["id"]?.string } == ["10004"], "a job change does not touch the person")
            #expect(changed.first?["last_name"]?.string == "Neumann")
            let employments = try JSONValue.parse(try await sandbox.get("/v2/persons/10005/employments?updated_at.gt=\(since)", token: token).body)
            #expect(employments["_data"]?.array?.first?["position"]?["title"]?.string == "Head of Snacks")
            let untouched = try JSONValue.parse(try await sandbox.get("/v2/persons/10004/employments?updated_at.gt=\(since)", token: token).body)
            #expect(untouched["_data"]?.array?.isEmpty == true)
            // the same change is in v1, under the same id
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10005", token: try await sandbox.token()).body)
            #expect(v1["data"]?["attributes"]?["position"]?["value"]?.string == "Head of Snacks")
        }
    }

    @Test(arguments: [
        ("limit=0", "limit"), ("limit=51", "limit"), ("limit=ten", "limit"), ("cursor=bogus", "cursor"),
        ("created_at.lt=wrong-date-format", "created_at.lt"), ("updated_at=2023-01-01", "updated_at"),
        ("status=LEAVE", "status"), ("colour=red", "colour"),
    ])
    func malformedParametersAre400sNamingThem(query: String, parameter: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.get("/v2/persons?\(query)", token: try await sandbox.v2Token())
            #expect(reply.status == 400)
            #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
            let body = try JSONValue.parse(reply.body)
            #expect(body["personio_trace_id"]?.string != nil && body["timestamp"]?.string != nil)
            #expect(body["errors"]?.array?.first?["detail"]?.string == "Provided request parameters are invalid.")
            #expect(body["errors"]?.array?.first?["_meta"]?["parameter"]?.string == parameter)
        }
    }

    @Test func anUnknownOperatorIsAnInvalidFilterEncoding() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.get("/v2/persons?id.nooperator=0825e977", token: try await sandbox.v2Token())
            #expect(reply.status == 400)
            #expect(try JSONValue.parse(reply.body)["errors"]?.array?.first?["detail"]?.string == "Provided filter encoding is invalid.")
        }
    }

    @Test func onePersonAndTheirEmploymentByIdAndUnknownIdsAre404() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let person = try JSONValue.parse(try await sandbox.get("/v2/persons/10003", token: token).body)
            #expect(person["id"]?.string == "10003")
            let employmentID = try #require(person["employments"]?.array?.first?["id"]?.string)
            #expect(employmentID.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#,
                                       options: .regularExpression) != nil)
            let list = try JSONValue.parse(try await sandbox.get("/v2/persons/10003/employments", token: token).body)
            #expect(list["_data"]?.array?.first?["id"]?.string == employmentID)
            let single = try JSONValue.parse(try await sandbox.get("/v2/persons/10003/employments/\(employmentID)", token: token).body)
            #expect(single["person"]?["id"]?.string == "10003")
            let v1 = try JSONValue.parse(try await sandbox.get("/v1/company/employees/10003",
                                                               token: try await sandbox.token()).body)["data"]?["attributes"]
            #expect(single["position"]?["title"]?.string == v1?["position"]?["value"]?.string)
            #expect(single["status"]?.string == v1?["status"]?["value"]?.string?.uppercased())
            for path in ["/v2/persons/99999", "/v2/persons/abc", "/v2/persons/99999/employments",
                         "/v2/persons/10003/employments/\(PersonioTestIDs.otherUUID)"] {
                let missing = try await sandbox.get(path, token: token)
                #expect(missing.status == 404, "\(path)")
                #expect(try JSONValue.parse(missing.body)["errors"]?.array?.first?["title"]?.string == "Resource not found")
            }
            let noRoute = try await sandbox.get("/v2/people", token: token)
            #expect(noRoute.status == 404)
            #expect(noRoute.headers.first(name: "Content-Type") == "application/problem+json")
        }
    }

    @Test func attributesTheCredentialMayNotReadAreLeftOut() async throws {
        try await withSandbox { sandbox in
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "names-only", "client_secret": "names-secret-1", "name": "Names",
                "readable_attributes": ["first_name", "last_name", "dynamic_1001"]])
            #expect(created.status == 201, "\(created.text)")
            let token = try await sandbox.v2Token(clientId: "names-only", clientSecret: "names-secret-1")
            let person = try JSONValue.parse(try await sandbox.get("/v2/persons/10002", token: token).body)
            #expect(person["first_name"]?.string != nil && person["last_name"]?.string != nil)
            for hidden in ["email", "gender", "status", "created_at", "updated_at"] { #expect(person[hidden] == nil, "\(hidden)") }
            #expect(person["custom_attributes"]?.array?.compactMap { $0["id"]?.string } == ["dynamic_1001"])
            let employment = try JSONValue.parse(try await sandbox.get("/v2/persons/10002/employments", token: token).body)["_data"]?.array?.first
            #expect(employment?["id"]?.string != nil)
            for hidden in ["position", "status", "supervisor", "org_units", "employment_start_date", "cost_centers"] {
                #expect(employment?[hidden] == nil, "\(hidden)")
            }
        }
    }

    @Test func theV2LimitSwitchAnswers429WithRetryAfter() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["v2_requests_per_minute": 3]).status == 200)
            for _ in 0..<3 { #expect(try await sandbox.get("/v2/persons?limit=1", token: token).status == 200) }
            let limited = try await sandbox.get("/v2/persons/10001", token: token)
            #expect(limited.status == 429)
            #expect(Int(limited.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(try JSONValue.parse(limited.body)["errors"]?.array?.first?["title"]?.string == "Too many requests")
            sandbox.clock.advance(by: 61)
            #expect(try await sandbox.get("/v2/persons/10001", token: token).status == 200)
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["fail_next": 1]).status == 200)
            let failed = try await sandbox.get("/v2/persons/10001", token: token)
            #expect(failed.status == 503)
            #expect(failed.headers.first(name: "Content-Type") == "application/problem+json")
        }
    }
}

enum PersonioTestIDs {
    static let otherUUID = "00000000-0000-4000-8000-000000000000"
}
