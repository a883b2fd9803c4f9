import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SyncEngine

/// One HTTP exchange, as the client needs it. The live transport uses AsyncHTTPClient; a v2
/// transport or a recording one for tests can take its place.
public struct PersonioHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct PersonioHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

public protocol PersonioTransport: Sendable {
    func send(_ request: PersonioHTTPRequest, timeout: Duration) async throws -> PersonioHTTPResponse
}

/// The live transport over AsyncHTTPClient.
public struct AsyncHTTPClientTransport: PersonioTransport {
    let client: HTTPClient
    /// Largest body accepted (a page of 100 employees with every attribute is about 600 KB).
    let maxBodyBytes: Int

    public init(client: HTTPClient, maxBodyBytes: Int = 32 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    /// Sends the request; the whole exchange, body included, must finish within `timeout`.
    public func send(_ request: PersonioHTTPRequest, timeout: Duration) async throws -> PersonioHTTPResponse {
        try await withTimeLimit(timeout) { try await exchange(request, timeout: timeout) }
    }

    private func exchange(_ request: PersonioHTTPRequest, timeout: Duration) async throws -> PersonioHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = timeout.components.seconds
        let response = try await client.execute(outgoing, timeout: .seconds(max(1, seconds)))
        // The chunks go straight into one array sized by Content-Length: a page of every attribute is
        // about 600 KB, and collecting into a growing buffer and copying that out cost two more copies.
        let expected = response.headers.first(name: "content-length").flatMap { Int($0) }
        if let expected, expected > maxBodyBytes { throw NIOTooManyBytesError(maxBytes: maxBodyBytes) }
        var body: [UInt8] = []
        body.reserveCapacity(expected ?? 16_384)
        for try await chunk in response.body {
            guard body.count + chunk.readableBytes <= maxBodyBytes else { throw NIOTooManyBytesError(maxBytes: maxBodyBytes) }
            body.append(contentsOf: chunk.readableBytesView)
        }
        return PersonioHTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }
}
