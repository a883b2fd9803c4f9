import Foundation
import Provisioning
import Testing

@Suite("Standard Webhooks signatures")
struct WebhookSignerTests {
    // The Standard Webhooks specification's published example, checked independently with
    // Python's hmac module.
    private let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    private let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    private let timestamp = 1_614_265_330
    private let body = Data(#"{"test": 2432232314}"#.utf8)

    @Test func matchesTheSpecificationsExample() throws {
        let signer = try WebhookSigner(secret: secret)
        #expect(signer.signature(id: id, timestamp: timestamp, body: body) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func verifiesAndRejectsTamperingAndReplays() throws {
        let signer = try WebhookSigner(secret: secret)
        let header = "v1,bm90LXRoaXMtb25l " + signer.signature(id: id, timestamp: timestamp, body: body)
        let now = Date(timeIntervalSince1970: TimeInterval(timestamp + 10))
        #expect(signer.verify(id: id, timestamp: timestamp, body: body, signatureHeader: header, now: now))
        #expect(!signer.verify(id: id, timestamp: timestamp, body: Data("{}".utf8), signatureHeader: header, now: now))
        #expect(!signer.verify(id: "msg_other", timestamp: timestamp, body: body, signatureHeader: header, now: now))
        #expect(!signer.verify(id: id, timestamp: timestamp, body: body, signatureHeader: header,
                               now: Date(timeIntervalSince1970: TimeInterval(timestamp + 3600))))
    }

    @Test func refusesSecretsThatAreNotBase64OrTooShort() {
        #expect(throws: WebhookSigner.SecretError.notBase64) { try WebhookSigner(secret: "whsec_not base64!") }
        #expect(throws: WebhookSigner.SecretError.tooShort) { try WebhookSigner(secret: "whsec_c2hvcnQ=") }
        #expect((try? WebhookSigner(secret: WebhookSigner.newSecret())) != nil)
    }
}
