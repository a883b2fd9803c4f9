import Fluent
import Foundation

/// Removals the deletion brake held, waiting for an admin to release or discard them.
public final class HeldBatchModel: Model, @unchecked Sendable {
    public static let schema = "held_batches"

    public enum Status: String, Codable, Sendable {
        /// Waiting for an admin.
        case held
        /// Released: the next run carries the removals out…
        case released
        /// …and then it is marked applied.
        case applied
        /// Closed without carrying them out; a later run holds them again if they still stand.
        case discarded
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "connection_id") public var connection: ConnectionModel
    @Parent(key: "run_id") public var run: RunModel
    @Enum(key: "status") public var status: Status
    @Field(key: "removals") public var removals: Int
    @Field(key: "linked") public var linked: Int
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "decided_by") public var decidedBy: String?

    public init() {}

    public init(id: UUID? = nil, connectionID: UUID, runID: UUID, removals: Int, linked: Int) {
        self.id = id
        self.$connection.id = connectionID
        self.$run.id = runID
        self.status = .held
        self.removals = removals
        self.linked = linked
    }
}
