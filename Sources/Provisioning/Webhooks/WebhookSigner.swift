import Crypto
import Foundation

/// Signs webhook deliveries per the Standard Webhooks convention: headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
/// Receivers verify with any HMAC implementation; `verify` is the reference for our own tests.
public struct WebhookSigner: Sendable {
    private let key: SymmetricKey

    public enum SecretError: Error, Equatable, CustomStringConvertible {
        case notBase64
        case tooShort

        public var description: String {
            switch self {
            case .notBase64: "the webhook secret must be base64, optionally prefixed with whsec_"
            case .tooShort: "the webhook secret must be at least 24 bytes"
            }
        }
    }

    /// `secret` is base64, optionally prefixed `whsec_` as Standard Webhooks secrets are.
    public init(secret: String) throws(SecretError) {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded) else { throw .notBase64 }
        guard bytes.count >= 24 else { throw .tooShort }
        key = SymmetricKey(data: bytes)
    }

    /// A new random secret, `whsec_` + base64 of 32 bytes.
    public static func newSecret() -> String {
        "whsec_" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// `v1,<base64 signature>` for one delivery.
    public func signature(id: String, timestamp: Int, body: some DataProtocol) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers to send with a delivery.
    public func headers(id: String, timestamp: Int, body: some DataProtocol) -> [(name: String, value: String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)),
         ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }

    /// Whether any `v1,` entry of a (space-separated) signature header matches, and the timestamp
    /// is within `tolerance` seconds of `now` (replay protection).
    public func verify(id: String, timestamp: Int, body: some DataProtocol, signatureHeader: String,
                       now: Date, tolerance: TimeInterval = 300) -> Bool {
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { return false }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return signatureHeader.split(separator: " ").contains { entry in
            guard entry.hasPrefix("v1,"), let given = Data(base64Encoded: String(entry.dropFirst(3))) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: key)
        }
    }
}
