import Fluent
import Foundation

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
