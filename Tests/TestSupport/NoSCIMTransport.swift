import Provisioning

/// For a hub in a test that reaches no SCIM app: any request through it fails, saying so.
public struct NoSCIMTransport: SCIMTransport {
    public init() {}

    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        throw HarnessError("this test reaches no SCIM app, yet \(method) \(url) was sent")
    }
}
