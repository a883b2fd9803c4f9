import Foundation
import Vapor

/// Writes v2 errors as `application/problem+json`.
enum V2Problem {
    static func response(_ failure: V2Failure, at time: Date) -> Response {
        var json = JSONWriter()
        json.beginObject()
        json.key("personio_trace_id"); json.string(traceID())
        json.key("timestamp"); json.utcTimestamp(time)
        json.key("errors")
        json.beginArray()
        json.beginObject()
        json.key("title"); json.string(failure.title)
        json.key("detail"); json.string(failure.detail)
        json.key("type"); json.string(failure.typeURI)
        if !failure.meta.isEmpty {
            json.key("_meta")
            json.beginObject()
            for (key, value) in failure.meta.sorted(by: { $0.key < $1.key }) { json.key(key); json.string(value) }
            json.endObject()
        }
        json.endObject()
        json.endArray()
        json.endObject()
        return problem(status: failure.status, json.bytes, retryAfter: failure.retryAfter)
    }

    static func response(_ failure: OAuthFailure, at time: Date) -> Response {
        var json = JSONWriter()
        json.beginObject()
        json.key("timestamp"); json.utcTimestamp(time)
        json.key("trace_id"); json.string(UUID().uuidString.lowercased())
        json.key("error"); json.string(failure.error)
        json.key("error_description"); json.string(failure.description)
        json.key("error_uri"); json.string(failure.uri)
        if !failure.meta.isEmpty {
            json.key("meta")
            json.beginObject()
            for (key, value) in failure.meta.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                switch value {
                case .text(let text): json.string(text)
                case .list(let items):
                    json.beginArray()
                    items.forEach { json.string($0) }
                    json.endArray()
                }
            }
            json.endObject()
        }
        json.endObject()
        return problem(status: failure.status, json.bytes, retryAfter: failure.retryAfter)
    }

    private static func problem(status: Int, _ bytes: [UInt8], retryAfter: Int?) -> Response {
        var headers = HTTPHeaders([("Content-Type", "application/problem+json")])
        if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        return Response(status: HTTPResponseStatus(statusCode: status), headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    /// A trace id in Personio's shape (`aswo3f-a202lfso-312123sld-1230ddd`).
    private static func traceID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return [6, 8, 9, 7].map { length in String((0..<length).map { _ in alphabet.randomElement() ?? "a" }) }.joined(separator: "-")
    }
}
