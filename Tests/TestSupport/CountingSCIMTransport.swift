import Foundation
import Provisioning

/// Counts (and records) the requests a SCIM client sends through it, for tests that prove how much
/// a run asks of the app and what it sent.
public final class CountingSCIMTransport: SCIMTransport, @unchecked Sendable {
    let inner: any SCIMTransport
    private let lock = NSLock()
    private var all = 0
    private var filtered = 0
    private var recorded: [Exchange] = []

    public var requests: Int { lock.withLock { all } }
    public var searches: Int { lock.withLock { filtered } }

    /// One request and the app's status.
    public struct Exchange: @unchecked Sendable, CustomStringConvertible {
        public var method: String
        public var url: String
        public var status: Int
        /// The request's JSON body, when it had one.
        public var body: [String: Any]?

        /// The path after the SCIM base, without the query (`/Users/12`).
        public var path: String {
            let withoutQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
            guard let users = withoutQuery.range(of: "/Users") else { return withoutQuery }
            return String(withoutQuery[users.lowerBound...])
        }

        public var description: String { "\(method) \(path) → \(status)" }
    }

    public init(_ inner: any SCIMTransport) {
        self.inner = inner
    }

    /// What was sent since the last call, in order.
    public func take() -> [Exchange] {
        lock.withLock {
            defer { recorded = [] }
            return recorded
        }
    }

    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        lock.withLock {
            all += 1
            if url.contains("filter=") { filtered += 1 }
        }
        let response = try await inner.send(method: method, url: url, headers: headers, body: body, timeout: timeout)
        let json = body.flatMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] }
        lock.withLock { recorded.append(Exchange(method: method, url: url, status: response.status, body: json)) }
        return response
    }
}
