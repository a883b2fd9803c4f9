import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A tenant of its own on a real SCIM 2.0 server from PyPI, for tests: `scim2-server` (run with
/// `--dynamic-tenants`) or django-scim2 (in `scripts/scimapp`, a tenant per first path segment).
/// `scripts/start-scim.sh` installs and starts both and prints `ROLLCALL_TEST_SCIM_URL`,
/// `ROLLCALL_TEST_SCIM_DJANGO_URL` and `ROLLCALL_TEST_SCIM_TOKEN`; `.ci/run` always does, so CI skips nothing.
public struct SCIMServerHarness: Sendable {
    public let kind: Kind
    public let baseURL: String
    public let token: String
    public let http: HTTPClient

    /// The independently written servers the tests run against.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        /// python-scim's `scim2-server`: PATCH, filters, declares only what it keeps.
        case scim2Server = "scim2-server"
        /// django-scim2 with its stock user adapter: announces PATCH but fails a replace of a whole
        /// user, no filters, keeps only core attributes (no enterprise extension, e-mails without type).
        case djangoSCIM2 = "django-scim2"

        var variable: String { self == .scim2Server ? "ROLLCALL_TEST_SCIM_URL" : "ROLLCALL_TEST_SCIM_DJANGO_URL" }
        public var description: String { rawValue }

        func base(_ server: String, tenant: String) -> String {
            self == .scim2Server ? "\(server)/\(tenant)/v2" : "\(server)/\(tenant)/scim/v2"
        }
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    public static var available: Bool { Kind.allCases.allSatisfy { !(environment[$0.variable] ?? "").isEmpty } }
    public static let skipReason = "no SCIM servers: run `eval \"$(bash scripts/start-scim.sh)\"` (scim2-server and django-scim2 in a venv) first"

    /// The user whose externalId is `externalId`, found by reading every user (works on servers without filters).
    public func user(externalId: String) async throws -> [String: Any]? {
        try await allUsers().first { $0["externalId"] as? String == externalId }
    }

    /// Every user of the tenant.
    public func allUsers() async throws -> [[String: Any]] {
        let (status, json) = try await request(.GET, "/Users?startIndex=1&count=1000")
        guard status == 200 else { throw HarnessError("listing SCIM users failed: \(status) \(json)") }
        return json["Resources"] as? [[String: Any]] ?? []
    }

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

/// Runs `body` against a fresh, empty tenant of a test SCIM server (`scim2-server` unless told).
public func withSCIMServer<T>(_ kind: SCIMServerHarness.Kind = .scim2Server, _ body: (SCIMServerHarness) async throws -> T)
    async throws -> T {
    guard let server = SCIMServerHarness.environment[kind.variable], !server.isEmpty else {
        throw HarnessError(SCIMServerHarness.skipReason)
    }
    let token = SCIMServerHarness.environment["ROLLCALL_TEST_SCIM_TOKEN"] ?? "rollcall-test-scim"
    let tenant = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(SCIMServerHarness(kind: kind, baseURL: kind.base(server, tenant: tenant), token: token, http: http))
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}
