import Fluent
import Foundation

/// One tenant: everything else belongs to exactly one workspace.
public final class WorkspaceModel: Model, @unchecked Sendable {
    public static let schema = "workspaces"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    /// IANA name; every rule of the workspace's connections is evaluated in it.
    @Field(key: "time_zone") public var timeZone: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, name: String, timeZone: String) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
    }
}
