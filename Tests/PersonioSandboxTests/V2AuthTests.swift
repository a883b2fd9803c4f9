import Foundation
import Testing
import TestSupport

@Suite("POST /v2/auth/token and /v2/auth/revoke")
struct V2AuthTests {
    @Test func issuesADayLongTokenPerRequestUsableInParallelWithEveryScopeByDefault() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.form(.POST, "/v2/auth/token",
                                               "grant_type=client_credentials&client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
            #expect(reply.json["token_type"] as? String == "Bearer")
            #expect(reply.json["expires_in"] as? Int == 86_400)
            let scopes = Set(((reply.json["scope"] as? String) ?? "").split(separator: " ").map(String.init))
            #expect(scopes.isSuperset(of: ["personio:persons:read", "personio:employments:read", "employees:read"]))
            let first = try #require(reply.json["access_token"] as? String)
            let second = try await sandbox.v2Token()
            #expect(first.hasPrefix("papi-") && first != second)
            #expect(try await sandbox.get("/v2/persons?limit=1", token: first).status == 200)
            #expect(try await sandbox.get("/v2/persons?limit=1", token: second).status == 200)
            sandbox.clock.advance(by: 86_401)
            let expired = try await sandbox.get("/v2/persons?limit=1", token: first)
            #expect(expired.status == 401)
            #expect(expired.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(expired.text.contains("expired"))
        }
    }

    @Test func aRevokedTokenIsRefusedAndRevokingAnUnknownOneIsNoError() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            #expect(try await sandbox.form(.POST, "/v2/auth/revoke", "token=\(token)").status == 200)
            #expect(try await sandbox.get("/v2/persons", token: token).status == 401)
            #expect(try await sandbox.form(.POST, "/v2/auth/revoke", "token=papi-never-issued").status == 200)
            let missing = try await sandbox.form(.POST, "/v2/auth/revoke", "")
            #expect(missing.status == 400)
            #expect(missing.json["error"] as? String == "invalid_request")
        }
    }

    @Test(arguments: [
        ("client_id=test-client&client_secret=test-secret-s3cr3t", "invalid_request", "grant_type"),
        ("grant_type=client_credentials&client_id=client_who", "invalid_client", nil),
        ("grant_type=client_credentials&client_id=test-client&client_secret=wrong", "unauthorized_client", nil),
        ("grant_type=client_credentials&client_id=nobody&client_secret=wrong", "invalid_client", nil),
        ("grant_type=urn:ietf:params:oauth:grant-type:device_code&client_id=test-client&client_secret=x", "unsupported_grant_type", nil),
        ("grant_type=client_credentials&client_id=test-client&client_secret=test-secret-s3cr3t&scope=personio:persons:read%20fake_scope:777",
         "invalid_scope", "fake_scope:777"),
    ] as [(String, String, String?)])
    func refusesWithTheOAuthErrorOfEachCase(form: String, error: String, named: String?) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.form(.POST, "/v2/auth/token", form)
            #expect(reply.status == 400)
            #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(reply.json["error"] as? String == error)
            #expect((reply.json["error_uri"] as? String)?.hasPrefix("https://developer.personio.de/reference/errors#") == true)
            #expect(reply.json["trace_id"] is String && reply.json["timestamp"] is String)
            if let named { #expect(reply.text.contains(named)) }
            #expect(!reply.text.contains("test-secret-s3cr3t"))
        }
    }

    @Test func takesFormEncodingOnly() async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.json(.POST, "/v2/auth/token", [
                "grant_type": "client_credentials", "client_id": sandbox.clientId, "client_secret": sandbox.clientSecret])
            #expect(reply.status == 400)
            #expect(reply.json["error"] as? String == "invalid_request")
            #expect((reply.json["error_description"] as? String)?.contains("application/x-www-form-urlencoded") == true)
        }
    }

    @Test func scopesAreCheckedPerRouteAndFollowTheCredentialsPermissions() async throws {
        try await withSandbox { sandbox in
            let narrow = try await sandbox.v2Token(scope: "personio:persons:read")
            #expect(try await sandbox.get("/v2/persons?limit=1", token: narrow).status == 200)
            let refused = try await sandbox.get("/v2/persons/10001/employments", token: narrow)
            #expect(refused.status == 403)
            #expect(refused.text.contains("personio:employments:read"))
            // a credential without employees:read holds no persons scope and may not ask for it
            let created = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "absences-only", "client_secret": "absences-secret-1", "name": "Absences", "permissions": ["absences:read"]])
            #expect(created.status == 201, "\(created.text)")
            let token = try await sandbox.v2Token(clientId: "absences-only", clientSecret: "absences-secret-1")
            #expect(try await sandbox.get("/v2/persons", token: token).status == 403)
            let asked = try await sandbox.form(.POST, "/v2/auth/token",
                                               "grant_type=client_credentials&client_id=absences-only&client_secret=absences-secret-1"
                                                   + "&scope=personio:persons:read")
            #expect(asked.json["error"] as? String == "invalid_scope")
        }
    }

    @Test func tokenRequestsAreLimitedTo150AMinute() async throws {
        try await withSandbox(limits: true) { sandbox in
            for _ in 0..<150 { _ = try await sandbox.v2Token() }
            let refused = try await sandbox.form(.POST, "/v2/auth/token",
                                                 "grant_type=client_credentials&client_id=\(sandbox.clientId)&client_secret=\(sandbox.clientSecret)")
            #expect(refused.status == 429)
            #expect(refused.headers.first(name: "Retry-After") != nil)
            sandbox.clock.advance(by: 61)
            _ = try await sandbox.v2Token()
        }
    }
}
