import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A tenant of its own on a real SCIM 2.0 server (`scim2-server` from PyPI, run with
/// `--dynamic-tenants`), for tests. `scripts/start-scim.sh` installs and starts it and prints
/// `ROLLCALL_TEST_SCIM_URL` and `ROLLCALL_TEST_SCIM_TOKEN`; `.ci/run` always does, so CI skips nothing.
public struct SCIMServerHarness: Sendable {
    public let baseURL: String
    public let token: String
    public let http: HTTPClient

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    public static var available: Bool { !(environment["ROLLCALL_TEST_SCIM_URL"] ?? "").isEmpty }
    public static let skipReason = "no SCIM server: run `eval \"$(bash scripts/start-scim.sh)\"` (scim2-server in a venv) first"

    /// A user as the server holds it.
    public func user(_ id: String) async throws -> [String: Any]? {
        let (status, json) = try await request(.GET, "/Users/\(id)")
        return status == 200 ? json : nil
    }

    /// Users matching a SCIM filter.
    public func users(filter: String) async throws -> [[String: Any]] {
        let query = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
        let (_, json) = try await request(.GET, "/Users?filter=\(query)")
        return json["Resources"] as? [[String: Any]] ?? []
    }

    /// Creates a user directly in the server (as if made in the app by hand).
    @discardableResult
    public func createUser(_ user: [String: Any]) async throws -> String {
        var body = user
        body["schemas"] = body["schemas"] ?? ["urn:ietf:params:scim:schemas:core:2.0:User"]
        let (status, json) = try await request(.POST, "/Users", body)
        guard status == 201, let id = json["id"] as? String else { throw HarnessError("creating a SCIM user failed: \(status) \(json)") }
        return id
    }

    public func request(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/scim+json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }
}

/// Runs `body` against a fresh, empty tenant of the test SCIM server.
public func withSCIMServer<T>(_ body: (SCIMServerHarness) async throws -> T) async throws -> T {
    guard let server = SCIMServerHarness.environment["ROLLCALL_TEST_SCIM_URL"], !server.isEmpty else {
        throw HarnessError(SCIMServerHarness.skipReason)
    }
    let token = SCIMServerHarness.environment["ROLLCALL_TEST_SCIM_TOKEN"] ?? "rollcall-test-scim"
    let tenant = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(SCIMServerHarness(baseURL: "\(server)/\(tenant)/v2", token: token, http: http))
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}
