import Foundation
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
