import Foundation
import NIOHTTP1
import Testing
import TestSupport

/// Input meant to crash the sandbox: JSON nested 10,000 deep and integers at Int64's extremes.
/// Each is a 400 naming what is wrong, and the sandbox keeps serving.
@Suite("Hostile input to the sandbox")
struct HostileInputTests {
    static let deepArrays = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    static let deepObject = #"{"first_name":"# + String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000) + "}"

    @Test func deeplyNestedBodiesAreRefusedAndTheSandboxKeepsServing() async throws {
        try await withSandbox(employees: 5) { sandbox in
            let token = try await sandbox.token()
            let bearer = [("Authorization", "Bearer \(token)")]
            let admin = [("Authorization", "Bearer \(sandbox.adminToken)")]
            for body in [Self.deepArrays, Self.deepObject] {
                for (path, headers) in [("/v1/auth", [(String, String)]()), ("/sandbox/employees", admin),
                                        ("/v1/company/employees", bearer), ("/v1/company/time-offs", bearer),
                                        ("/v1/company/absence-periods", bearer), ("/sandbox/credentials", admin)] {
                    let reply = try await sandbox.request(.POST, path, headers: headers, body: Data(body.utf8),
                                                          contentType: "application/json")
                    #expect(reply.status == 400, "\(path): \(reply.status) \(reply.text.prefix(200))")
                }
            }
            // still alive and answering
            #expect(try await sandbox.get("/v1/company/employees", token: token).status == 200)
        }
    }

    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "2147483648"])
    func integersAtTheExtremesAreA400NamingTheParameter(_ number: String) async throws {
        try await withSandbox(employees: 5) { sandbox in
            let token = try await sandbox.token()
            for path in ["/v1/company/employees", "/v1/company/time-offs", "/v1/company/absence-periods",
                         "/v1/company/time-off-types"] {
                for parameter in ["offset", "limit"] {
                    let reply = try await sandbox.get("\(path)?\(parameter)=\(number)", token: token)
                    #expect(reply.status == 400, "\(path)?\(parameter)=\(number): \(reply.status)")
                    #expect(reply.text.contains(parameter), "\(reply.text)")
                }
            }
            // ids in a path are looked up, not computed with
            #expect(try await sandbox.get("/v1/company/employees/9223372036854775807", token: token).status == 404)
            #expect(try await sandbox.get("/v1/company/employees?offset=2147483647&limit=100", token: token).status == 200)
        }
    }
}

/// The same for v2: every malformed request is a 4xx problem body, never a 500.
@Suite("Hostile input to the sandbox's v2 API")
struct V2HostileInputTests {
    @Test func deepBodiesExtremeNumbersAndOddIdsAre4xxProblemBodies() async throws {
        try await withSandbox(employees: 5) { sandbox in
            let token = try await sandbox.v2Token()
            let bearer = [("Authorization", "Bearer \(token)")]
            for body in [HostileInputTests.deepArrays, HostileInputTests.deepObject, "{", "[]", "\"text\"", "null"] {
                for (method, path) in [("POST", "/v2/persons"), ("PATCH", "/v2/persons/10002"), ("POST", "/v2/absence-periods"),
                                       ("POST", "/v2/webhooks"), ("PATCH", "/v2/persons/10002/employments/\(PersonioTestIDs.otherUUID)")] {
                    let reply = try await sandbox.request(HTTPMethod(rawValue: method), path, headers: bearer, body: Data(body.utf8),
                                                          contentType: "application/json")
                    #expect((400..<500).contains(reply.status), "\(method) \(path) \(body.prefix(10)): \(reply.status)")
                    #expect(reply.headers.first(name: "Content-Type") == "application/problem+json", "\(method) \(path)")
                }
            }
            for query in ["limit=9223372036854775807", "limit=-1", "cursor=cur_%FF%FE", "cursor=cur_" + String(repeating: "A", count: 5000),
                          "created_at.gt=9999999-99-99T99:99:99Z", "id=" + String(repeating: "1,", count: 2000), "email=%00", "status=",
                          "updated_at.lt=2023-01-01T12:00:00%2B99:00"] {
                let reply = try await sandbox.get("/v2/persons?\(query)", token: token)
                #expect(reply.status == 200 || reply.status == 400, "\(query.prefix(40)): \(reply.status)")
            }
            for path in ["/v2/persons/9223372036854775807", "/v2/persons/-1/employments", "/v2/persons/%2e%2e", "/v2/absence-periods/x",
                         "/v2/webhooks/x/events", "/v2/org-units/99999999999999999999", "/v2/legal-entities/%00"] {
                let reply = try await sandbox.get(path, token: token)
                #expect(reply.status == 404 || reply.status == 400, "\(path): \(reply.status)")
            }
            let form = try await sandbox.form(.POST, "/v2/auth/token", String(repeating: "a=b&", count: 10_000))
            #expect(form.status == 400)
            #expect(try await sandbox.get("/v2/persons", token: token).status == 200, "still serving")
        }
    }
}
