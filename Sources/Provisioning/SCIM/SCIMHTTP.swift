import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SyncEngine

/// One SCIM exchange. The live implementation uses AsyncHTTPClient; tests may record or fake.
public protocol SCIMTransport: Sendable {
    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8])
}

public struct AsyncHTTPClientSCIMTransport: SCIMTransport {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    /// Sends the request; the whole exchange, body included, must finish within `timeout`.
    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        try await withTimeLimit(timeout) { try await exchange(method: method, url: url, headers: headers, body: body, timeout: timeout) }
    }

    private func exchange(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(max(1, timeout.components.seconds)))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, Array(bytes.readableBytesView))
    }
}
