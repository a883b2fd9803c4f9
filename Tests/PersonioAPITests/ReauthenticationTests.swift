import Foundation
import PersonioAPI
import Testing
import TestSupport

/// Behaviour the sandbox cannot be made to show: an API that keeps refusing fresh tokens.
@Suite("Re-authentication")
struct ReauthenticationTests {
    /// Grants a token on /auth and answers every other request with `status`, counting them.
    final class RefusingTransport: PersonioTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        let status: Int

        init(status: Int) { self.status = status }

        func count(_ kind: String) -> Int { lock.withLock { counts[kind, default: 0] } }

        func send(_ request: PersonioHTTPRequest, timeout: Duration) async throws -> PersonioHTTPResponse {
            let isAuth = request.url.hasSuffix("/auth")
            lock.withLock { counts[isAuth ? "auth" : "other", default: 0] += 1 }
            if isAuth {
                return PersonioHTTPResponse(status: 200, body: Array(#"{"success":true,"data":{"token":"papi-x","expires_in":86400}}"#.utf8))
            }
            return PersonioHTTPResponse(status: status, body: Array(#"{"success":false,"error":{"code":0,"message":"no"}}"#.utf8))
        }
    }

    @Test(arguments: [401, 403])
    func reauthenticatesOnceThenGivesUp(status: Int) async throws {
        let transport = RefusingTransport(status: status)
        let client = PersonioClient(
            configuration: PersonioConfiguration(baseURL: "http://personio.invalid/v1",
                                                 credentials: PersonioCredentials(clientID: "id", clientSecret: "secret")),
            transport: transport, clock: VirtualClock().clock)
        await #expect(throws: PersonioError.self) { _ = try await client.attributes() }
        #expect(transport.count("auth") == 2, "the first token and one fresh one")
        #expect(transport.count("other") == 2, "one request with each token, then it stops")
    }
}
