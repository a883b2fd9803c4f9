import Fluent
import Foundation

/// A signed-in browser: the cookie carries a random token, the table only its SHA-256 digest.
public final class DashboardSessionModel: Model, @unchecked Sendable {
    public static let schema = "dashboard_sessions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_digest") public var tokenDigest: String
    @Parent(key: "user_id") public var user: UserModel
    /// Sent with every form and compared on every POST (synchronizer token).
    @Field(key: "csrf_token") public var csrfToken: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date

    public init() {}

    public init(tokenDigest: String, userID: UUID, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenDigest = tokenDigest
        self.$user.id = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
