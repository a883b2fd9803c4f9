import Foundation
import Provisioning

/// Passes SCIM requests on and counts them: all of them, and the user searches (`filter=`).
public final class CountingSCIMTransport: SCIMTransport, @unchecked Sendable {
    let inner: any SCIMTransport
    private let lock = NSLock()
    private var all = 0
    private var filtered = 0

    public var requests: Int { lock.withLock { all } }
    public var searches: Int { lock.withLock { filtered } }

    public init(_ inner: any SCIMTransport) {
        self.inner = inner
    }

    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        lock.withLock {
            all += 1
            if url.contains("filter=") { filtered += 1 }
        }
        return try await inner.send(method: method, url: url, headers: headers, body: body, timeout: timeout)
    }
}
