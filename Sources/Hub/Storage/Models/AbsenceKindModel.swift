import Fluent
import Foundation

/// Which Personio absence type an app's absence kind (`sickness`, `vacation`, …) is written as, per
/// source (time-off type ids belong to one Personio account). The unit decides the endpoint.
public final class AbsenceKindModel: Model, @unchecked Sendable {
    public static let schema = "absence_kinds"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "source_id") public var sourceID: UUID
    @Field(key: "kind") public var kind: String
    @Field(key: "time_off_type_id") public var timeOffTypeID: Int
    @Field(key: "type_name") public var typeName: String
    /// `day` (→ /company/time-offs) or `hour` (→ /company/absence-periods).
    @Field(key: "unit") public var unit: String

    public init() {}

    public init(workspaceID: UUID, sourceID: UUID, kind: String, timeOffTypeID: Int, typeName: String, unit: String) {
        self.$workspace.id = workspaceID
        self.sourceID = sourceID
        self.kind = kind
        self.timeOffTypeID = timeOffTypeID
        self.typeName = typeName
        self.unit = unit
    }
}
