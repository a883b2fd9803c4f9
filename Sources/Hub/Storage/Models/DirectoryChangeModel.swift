import Fluent
import Foundation
import SyncEngine

/// The `feed` target's change log: every change to a person in a connection's directory gets the
/// next sequence number, so a consumer that stores the last one it read never misses or repeats one.
public final class DirectoryChangeModel: Model, @unchecked Sendable {
    public static let schema = "directory_changes"

    /// The sequence: increasing across the whole database.
    @ID(custom: "sequence", generatedBy: .database) public var id: Int?
    @Parent(key: "connection_id") public var connection: ConnectionModel
    @Field(key: "personio_id") public var personioID: Int
    @Field(key: "state") public var state: LinkState
    /// Mapped fields as JSON after the change.
    @Field(key: "fields") public var fields: String
    @Field(key: "changed_fields") public var changedFields: [String]
    @Field(key: "run_id") public var runID: UUID
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(connectionID: UUID, personioID: Int, state: LinkState, fields: String, changedFields: [String], runID: UUID, at: Date) {
        self.$connection.id = connectionID
        self.personioID = personioID
        self.state = state
        self.fields = fields
        self.changedFields = changedFields
        self.runID = runID
        self.createdAt = at
    }
}
