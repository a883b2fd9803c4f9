import Foundation
import Testing
import TestSupport

@Suite("Fault switches")
struct FaultTests {
    private func setFaults(_ sandbox: SandboxHarness, _ faults: [String: Any]) async throws {
        let reply = try await sandbox.admin(.PUT, "/sandbox/faults", faults)
        #expect(reply.status == 200, "\(reply.text)")
    }

    @Test func failNextAnswers5xxThenRecovers() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["fail_next": 2, "error_status": 502])
            #expect(try await sandbox.get("/v1/company/employees", token: token).status == 502)
            let second = try await sandbox.get("/v1/company/employees", token: token)
            #expect(second.status == 502)
            #expect(second.json["success"] as? Bool == false)
            #expect(try await sandbox.get("/v1/company/employees", token: token).status == 200)
        }
    }

    @Test func errorRateOneFailsEveryRequestAndZeroNone() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["error_rate": 1.0])
            for _ in 0..<5 { #expect(try await sandbox.get("/v1/company/employees", token: token).status == 503) }
            try await setFaults(sandbox, [:])
            for _ in 0..<5 { #expect(try await sandbox.get("/v1/company/employees", token: token).status == 200) }
        }
    }

    @Test func addsLatency() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["latency_ms": 300])
            let start = ContinuousClock.now
            #expect(try await sandbox.get("/v1/company/employees?limit=1", token: token).status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    @Test func forces429WithRetryAfter() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["force_429_next": 1])
            let limited = try await sandbox.get("/v1/company/employees", token: token)
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "Retry-After") == "1")
            #expect(try await sandbox.get("/v1/company/employees", token: token).status == 200)
        }
    }

    @Test func truncatesAPageThatIsNotTheLastWhileMetadataClaimsTheFullCount() async throws {
        try await withSandbox(employees: 30) { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["truncate_next_pages": 1])
            let truncated = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=10", token: token).body)
            #expect(truncated["data"]?.array?.count == 5)
            #expect(truncated["metadata"]?["total_elements"]?.int == 30)
            let next = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=10", token: token).body)
            #expect(next["data"]?.array?.count == 10)
        }
    }

    @Test func dropsAnAttributeFromTheWhitelistMidRun() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["drop_attribute": "department", "drop_attribute_after_requests": 1])
            let path = "/v1/company/employees?limit=1&attributes[]=department"
            let first = try JSONValue.parse(try await sandbox.get(path, token: token).body)
            #expect(first["data"]?[0]?["attributes"]?["department"] != nil)
            let second = try JSONValue.parse(try await sandbox.get(path, token: token).body)
            #expect(second["data"]?[0]?["attributes"]?["department"] == nil)
            let attributes = try await sandbox.get("/v1/company/employees/attributes", token: token)
            #expect(!attributes.text.contains("\"department\""))
        }
    }

    @Test func switchesCredentialAndTokenErrorsTo403() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["bad_credentials_status": 403, "expired_token_status": 403])
            let bad = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": "nope"])
            #expect(bad.status == 403)
            sandbox.clock.advance(by: 86_401)
            #expect(try await sandbox.get("/v1/company/employees", token: token).status == 403)
        }
    }

    @Test func canRejectQueryStringCredentials() async throws {
        try await withSandbox { sandbox in
            try await setFaults(sandbox, ["reject_query_auth": true])
            let query = try await sandbox.request(.POST, "/v1/auth?client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            #expect(query.status == 403)
            #expect(try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret]).status == 200)
        }
    }

    @Test func canClampLimitsAbove100() async throws {
        try await withSandbox(employees: 150) { sandbox in
            let token = try await sandbox.token()
            try await setFaults(sandbox, ["over_limit": "clamp"])
            let page = try JSONValue.parse(try await sandbox.get("/v1/company/employees?limit=101", token: token).body)
            #expect(page["data"]?.array?.count == 100)
            #expect(page["limit"]?.int == 100)
        }
    }

    @Test func refusesOutOfRangeFaultsNamingTheField() async throws {
        try await withSandbox { sandbox in
            for (body, field) in [(["error_rate": 2], "error_rate"), (["error_status": 404], "error_status"),
                                  (["latency_ms": -1], "latency_ms"), (["over_limit": "explode"], "over_limit"),
                                  (["fail_next": "many"], "fail_next")] as [([String: Any], String)] {
                let reply = try await sandbox.admin(.PUT, "/sandbox/faults", body)
                #expect(reply.status == 422, "\(body)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == field, "\(reply.text)")
            }
        }
    }
}

@Suite("Rate limits")
struct RateLimitTests {
    @Test func allowsBurstsOf15PerSecondThen429WithRetryAfter() async throws {
        try await withSandbox(limits: true) { sandbox in
            let token = try await sandbox.token()
            for _ in 0..<15 { #expect(try await sandbox.get("/v1/company/employees?limit=1", token: token).status == 200) }
            let limited = try await sandbox.get("/v1/company/employees?limit=1", token: token)
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "Retry-After") == "1")
            #expect(limited.json["success"] as? Bool == false)
            sandbox.clock.advance(by: 1.001)
            #expect(try await sandbox.get("/v1/company/employees?limit=1", token: token).status == 200)
        }
    }

    @Test func allows300PerMinute() async throws {
        try await withSandbox(limits: true) { sandbox in
            let token = try await sandbox.token()
            for _ in 0..<20 {
                for _ in 0..<15 { #expect(try await sandbox.get("/v1/company/employees?limit=1", token: token).status == 200) }
                sandbox.clock.advance(by: 1.01)
            }
            let limited = try await sandbox.get("/v1/company/employees?limit=1", token: token)
            #expect(limited.status == 429)
            let wait = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((39...41).contains(wait), "minute window opens when the first request is 60 s old: \(wait)")
            sandbox.clock.advance(by: Double(wait))
            #expect(try await sandbox.get("/v1/company/employees?limit=1", token: token).status == 200)
        }
    }
}

@Suite("The v1 vacation_day_balance switch")
struct VacationBalanceSwitchTests {
    @Test func v1ListsTheBalanceOnlyWhileTheSwitchIsOn() async throws {
        try await withSandbox(employees: 5) { sandbox in
            let token = try await sandbox.token()
            #expect(try await sandbox.get("/v1/company/employees/10002", token: token).text.contains("vacation_day_balance"))
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["v1_vacation_day_balance": false]).status == 200)
            #expect(!(try await sandbox.get("/v1/company/employees/10002", token: token).text.contains("vacation_day_balance")))
            #expect(!(try await sandbox.get("/v1/company/employees?limit=5", token: token).text.contains("vacation_day_balance")))
            #expect(!(try await sandbox.get("/v1/company/employees/attributes", token: token).text.contains("vacation_day_balance")))
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", [:] as [String: Any]).status == 200)
            #expect(try await sandbox.get("/v1/company/employees/10002", token: token).text.contains("vacation_day_balance"))
        }
    }
}

@Suite("PUT /sandbox/faults refuses what it does not know")
struct UnknownFaultTests {
    @Test func aMistypedSwitchIsA422NamingItAndChangesNothing() async throws {
        try await withSandbox(employees: 5) { sandbox in
            #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["fail_next": 1]).status == 200)
            let typo = try await sandbox.admin(.PUT, "/sandbox/faults", ["v2_requests_per_minte": 10])
            #expect(typo.status == 422)
            #expect((typo.json["error"] as? [String: Any])?["field"] as? String == "v2_requests_per_minte")
            #expect(typo.text.contains("v2_requests_per_minute"), "the message lists what exists")
            let current = try await sandbox.admin(.GET, "/sandbox/faults")
            #expect(current.json["fail_next"] as? Int == 1, "the earlier faults still stand")
        }
    }
}
