import Foundation
import Logging
import NIOCore
import Vapor

/// A server on loopback that answers Personio's auth like Personio and then misbehaves on the
/// employee list, one way per path prefix (`/deep/v1`, `/garbage/v1`, `/endless/v1`, `/slow/v1`):
/// what a tenant could aim a source at, or a broken proxy in front of Personio could do.
public struct HostilePersonio: Sendable {
    public enum Mode: String, CaseIterable, Sendable {
        /// A page of 10,000 nested arrays (about 20 KB).
        case deep
        /// 200 OK with bytes that are not JSON.
        case garbage
        /// A body that never ends, as fast as loopback takes it.
        case endless
        /// A body that never ends, a byte every 50 ms.
        case slow
        /// A 400 whose message is 100 KB of text with line breaks and terminal escapes.
        case chatty
    }

    public let baseURL: String

    /// The `/v1` base URL of a misbehaving Personio.
    public func baseURL(_ mode: Mode) -> String { "\(baseURL)/\(mode.rawValue)/v1" }

    /// The page of `.deep`.
    public static let deepPage = #"{"success":true,"metadata":{"total_elements":1},"data":[{"type":"Employee","attributes":"#
        + #"{"id":{"label":"ID","value":1,"type":"integer"},"first_name":{"label":"First name","type":"standard","value":"#
        + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}}}]}"

    static func routes(_ app: Application) {
        app.post(":mode", "v1", "auth") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"],
                     body: .init(string: #"{"success":true,"data":{"token":"papi-hostile","type":"Bearer","expires_in":86400}}"#))
        }
        app.get(":mode", "v1", "**") { request async throws -> Response in
            guard let mode = request.parameters.get("mode").flatMap(Mode.init(rawValue:)) else { throw Abort(.notFound) }
            let headers: HTTPHeaders = ["Content-Type": "application/json"]
            switch mode {
            case .deep:
                return Response(status: .ok, headers: headers, body: .init(string: Self.deepPage))
            case .chatty:
                let noise = String(repeating: "Mallory says\n\u{1B}[31mhello\u{1B}[0m\r\t", count: 4_000)
                let body = #"{"success":false,"error":{"code":400,"message":"\#(noise.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\u{1B}", with: "\\u001b"))"}}"#
                return Response(status: .badRequest, headers: headers, body: .init(string: body))
            case .garbage:
                return Response(status: .ok, headers: headers, body: .init(string: "\u{1}\u{2}<html>not json at all</html>\u{7f}"))
            case .endless, .slow:
                return Response(status: .ok, headers: headers, body: .init(asyncStream: { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: mode == .endless ? 64 * 1024 : 1)
                    do {
                        try await writer.write(.buffer(ByteBuffer(string: #"{"success":true,"data":["#)))
                        while !Task.isCancelled {
                            try await writer.write(.buffer(chunk))
                            if mode == .slow { try await Task.sleep(for: .milliseconds(50)) }
                        }
                    } catch {
                        // the client went away: that is the point
                    }
                    try? await writer.write(.end)
                }))
            }
        }
    }
}

/// Runs `body` with a misbehaving Personio on a free loopback port.
public func withHostilePersonio<T>(_ body: (HostilePersonio) async throws -> T) async throws -> T {
    try await withLoopbackServer(HostilePersonio.routes) { baseURL in try await body(HostilePersonio(baseURL: baseURL)) }
}
