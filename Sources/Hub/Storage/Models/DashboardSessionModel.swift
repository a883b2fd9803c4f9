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

/// An invitation to a workspace: the link carries a random token, the table its digest.
public final class InviteModel: Model, @unchecked Sendable {
    public static let schema = "invites"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "email") public var email: String
    @Enum(key: "role") public var role: UserModel.Role
    @Field(key: "token_digest") public var tokenDigest: String
    @Field(key: "invited_by") public var invitedBy: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "accepted_at") public var acceptedAt: Date?

    public init() {}

    public init(workspaceID: UUID, email: String, role: UserModel.Role, tokenDigest: String, invitedBy: String, at: Date, expiresAt: Date) {
        self.$workspace.id = workspaceID
        self.email = email
        self.role = role
        self.tokenDigest = tokenDigest
        self.invitedBy = invitedBy
        self.createdAt = at
        self.expiresAt = expiresAt
    }
}
