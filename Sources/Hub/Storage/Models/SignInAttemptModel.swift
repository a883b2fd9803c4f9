import Fluent
import Foundation

/// One sign-in attempt, kept for rate limiting (across instances) and for the audit of failures.
public final class SignInAttemptModel: Model, @unchecked Sendable {
    public static let schema = "sign_in_attempts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "email") public var email: String
    @Field(key: "address") public var address: String
    @Field(key: "succeeded") public var succeeded: Bool
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(email: String, address: String, succeeded: Bool, at: Date) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        self.createdAt = at
    }
}
