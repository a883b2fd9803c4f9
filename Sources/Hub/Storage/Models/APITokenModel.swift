import Fluent
import Foundation

/// A bearer token for the REST API, scoped to one workspace. Only its SHA-256 is stored; the token
/// itself is shown once, when created.
public final class APITokenModel: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "name") public var name: String
    /// Hex SHA-256 of the token.
    @Field(key: "token_hash") public var tokenHash: String
    /// The token's first characters, to tell tokens apart in lists.
    @Field(key: "prefix") public var prefix: String
    /// `read`, `write`.
    @Field(key: "scopes") public var scopes: [String]
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") public var revokedAt: Date?

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, name: String, tokenHash: String, prefix: String, scopes: [String]) {
        self.id = id
        self.$workspace.id = workspaceID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.scopes = scopes
    }
}
