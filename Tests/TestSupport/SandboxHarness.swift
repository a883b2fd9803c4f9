import AsyncHTTPClient
import Foundation
@_exported import PersonioAPI
import Logging
import NIOCore
import NIOHTTP1
import PersonioSandbox

/// A sandbox on a free loopback port and an HTTP client for it. Use `withSandbox`, which always
/// shuts both down.
public struct SandboxHarness: Sendable {
    public let baseURL: String
    public let clientId: String
    public let clientSecret: String
    public let adminToken: String
    public let clock: ManualClock
    public let http: HTTPClient

    /// A reply with its status, headers and body.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: Data

        /// The body as a JSON object (empty when it is not one).
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: Data? = nil, contentType: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    public func json(_ method: HTTPMethod, _ path: String, _ object: Any, headers: [(String, String)] = []) async throws -> Reply {
        try await request(method, path, headers: headers, body: try JSONSerialization.data(withJSONObject: object),
                          contentType: "application/json")
    }

    public func form(_ method: HTTPMethod, _ path: String, _ text: String, headers: [(String, String)] = []) async throws -> Reply {
        try await request(method, path, headers: headers, body: Data(text.utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// A token for the default credential.
    public func token(clientId: String? = nil, clientSecret: String? = nil) async throws -> String {
        let reply = try await json(.POST, "/v1/auth", ["client_id": clientId ?? self.clientId,
                                                      "client_secret": clientSecret ?? self.clientSecret])
        guard reply.status == 200, let data = reply.json["data"] as? [String: Any], let token = data["token"] as? String else {
            throw HarnessError("auth failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// A v2 access token (`POST /v2/auth/token`) for the default credential, or another one.
    public func v2Token(clientId: String? = nil, clientSecret: String? = nil, scope: String? = nil) async throws -> String {
        var body = "grant_type=client_credentials&client_id=\(clientId ?? self.clientId)&client_secret=\(clientSecret ?? self.clientSecret)"
        if let scope { body += "&scope=" + (scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope) }
        let reply = try await form(.POST, "/v2/auth/token", body)
        guard reply.status == 200, let token = reply.json["access_token"] as? String else {
            throw HarnessError("v2 auth failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// GET with a bearer token.
    public func get(_ path: String, token: String) async throws -> Reply {
        try await request(.GET, path, headers: [("Authorization", "Bearer \(token)")])
    }

    /// A call to the admin API with the admin token.
    public func admin(_ method: HTTPMethod, _ path: String, _ object: Any? = nil) async throws -> Reply {
        let headers = [("Authorization", "Bearer \(adminToken)")]
        if let object { return try await json(method, path, object, headers: headers) }
        return try await request(method, path, headers: headers)
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body` against a fresh sandbox with known credentials and a manual clock.
public func withSandbox<T>(
    employees: Int = 60, seed: UInt64 = 7, limits: Bool = false, dataFile: String? = nil,
    clock: ManualClock = ManualClock(),
    _ body: (SandboxHarness) async throws -> T
) async throws -> T {
    let configuration = SandboxConfiguration(
        employeeCount: employees, seed: seed, dataFile: dataFile,
        clientId: "test-client", clientSecret: "test-secret-s3cr3t", adminToken: "test-admin-token",
        limitsEnabled: limits, now: clock.provider, maxBodyBytes: 64 * 1024)
    var logger = Logger(label: "rollcall.sandbox.test")
    logger.logLevel = .warning
    let server = try await SandboxServer(configuration: configuration, logger: logger)
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let port = try await server.start(port: 0)
        let harness = SandboxHarness(baseURL: "http://127.0.0.1:\(port)", clientId: configuration.clientId,
                                     clientSecret: configuration.clientSecret, adminToken: configuration.adminToken,
                                     clock: clock, http: http)
        let result = try await body(harness)
        try await http.shutdown()
        try await server.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        try? await server.shutdown()
        throw error
    }
}
