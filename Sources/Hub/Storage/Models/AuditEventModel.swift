import Fluent
import Foundation

/// Who did what, when, in a workspace (sources created, keys rotated, batches released, …).
public final class AuditEventModel: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "actor") public var actor: String
    @Field(key: "action") public var action: String
    @Field(key: "subject") public var subject: String
    @Field(key: "detail") public var detail: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, actor: String, action: String, subject: String, detail: String, at: Date) {
        self.id = id
        self.$workspace.id = workspaceID
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
        self.createdAt = at
    }
}
