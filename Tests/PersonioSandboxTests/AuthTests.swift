import Foundation
import Testing
import TestSupport

@Suite("POST /v1/auth")
struct AuthTests {
    @Test func acceptsJSONFormAndQueryCredentialsAndReturnsTheSameToken() async throws {
        try await withSandbox { sandbox in
            // given
            let json = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            let form = try await sandbox.form(.POST, "/v1/auth", "client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            let query = try await sandbox.request(.POST, "/v1/auth?client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            // then
            #expect(json.status == 200)
            #expect(form.status == 200)
            #expect(query.status == 200)
            let token = try #require((json.json["data"] as? [String: Any])?["token"] as? String)
            #expect(token.hasPrefix("papi-"))
            #expect((form.json["data"] as? [String: Any])?["token"] as? String == token)
            #expect((query.json["data"] as? [String: Any])?["token"] as? String == token)
            #expect((json.json["data"] as? [String: Any])?["expires_in"] as? Int == 86_400)
            #expect(((json.json["data"] as? [String: Any])?["scope"] as? String)?.contains("employees:read") == true)
        }
    }

    @Test func echoesTheTokenInTheAuthorizationHeaderOfPersonnelResponses() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.token()
            let reply = try await sandbox.get("/v1/company/employees?limit=1", token: token)
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "Authorization") == "Bearer \(token)")
        }
    }

    @Test func rejectsAWrongSecretWith401AndTheEnvelope() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": "wrong"])
            #expect(reply.status == 401)
            #expect(reply.json["success"] as? Bool == false)
            #expect((reply.json["error"] as? [String: Any])?["message"] is String)
            #expect(!reply.text.contains(sandbox.clientSecret))
        }
    }

    @Test func namesAMissingField() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId])
            #expect(reply.status == 400)
            #expect(reply.text.contains("client_secret"))
        }
    }

    @Test func issuesANewTokenAfter24HoursAndRejectsTheOldOne() async throws {
        try await withSandbox { sandbox in
            // given
            let first = try await sandbox.token()
            sandbox.clock.advance(by: 86_399)
            let value1 = try await sandbox.token()
            #expect(value1 == first)
            let value2 = try await sandbox.get("/v1/company/employees?limit=1", token: first)
            #expect(value2.status == 200)
            // when
            sandbox.clock.advance(by: 2)
            // then
            let expired = try await sandbox.get("/v1/company/employees?limit=1", token: first)
            #expect(expired.status == 401)
            #expect(expired.text.contains("expired"))
            let second = try await sandbox.token()
            #expect(second != first)
            let value3 = try await sandbox.get("/v1/company/employees?limit=1", token: second)
            #expect(value3.status == 200)
        }
    }

    @Test func rejectsMissingAndUnknownTokens() async throws {
        try await withSandbox { sandbox in
            let value4 = try await sandbox.request(.GET, "/v1/company/employees")
            #expect(value4.status == 401)
            let value5 = try await sandbox.get("/v1/company/employees", token: "papi-unknown")
            #expect(value5.status == 401)
        }
    }

    @Test func limitsAuthTo60PerMinuteThenCoolsDownFor60Seconds() async throws {
        try await withSandbox(limits: true) { sandbox in
            // given
            for _ in 0..<60 { _ = try await sandbox.token() }
            // when
            let limited = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            // then
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "Retry-After") == "60")
            #expect(limited.json["success"] as? Bool == false)
            sandbox.clock.advance(by: 59)
            let value6 = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            #expect(value6.status == 429)
            sandbox.clock.advance(by: 2)
            let value7 = try await sandbox.json(.POST, "/v1/auth", ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            #expect(value7.status == 200)
        }
    }
}
