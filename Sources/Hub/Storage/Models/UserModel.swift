import Fluent
import Foundation

/// A person who signs in to the dashboard, with one role in one workspace.
public final class UserModel: Model, @unchecked Sendable {
    public static let schema = "users"

    public enum Role: String, Codable, Sendable, CaseIterable {
        case owner, admin, hr, viewer
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "email") public var email: String
    @Field(key: "name") public var name: String
    /// bcrypt.
    @Field(key: "password_hash") public var passwordHash: String
    @Enum(key: "role") public var role: Role
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, email: String, name: String, passwordHash: String, role: Role) {
        self.id = id
        self.$workspace.id = workspaceID
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
    }
}
