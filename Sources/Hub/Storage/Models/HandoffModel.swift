import Fluent
import Foundation

/// One candidate handed over from a recruiting tool to Personio (`ats-handoff`). Unique per
/// workspace and candidate id: the row is claimed before Personio is called, so a repeated or
/// concurrent request finds it and answers with the first result. Keeps no personal data beyond
/// the ids and the sender's record.
public final class HandoffModel: Model, @unchecked Sendable {
    public static let schema = "handoffs"

    public enum Status: String, Codable, Sendable {
        /// A request is creating the employee right now.
        case sending
        case sent
        /// Personio refused or could not be reached; a new request tries again.
        case failed
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "source_id") public var sourceID: UUID
    @Field(key: "candidate_id") public var candidateID: String
    @Enum(key: "status") public var status: Status
    @OptionalField(key: "personio_id") public var personioID: Int?
    /// Create requests sent to Personio so far: after one that may have succeeded unseen (a timeout),
    /// an employee found under the e-mail is this hand-off's own.
    @Field(key: "attempts") public var attempts: Int
    /// Counts the claims taken on this row: a request takes the row over only while the counter is
    /// the one it read, so of two racing requests exactly one wins.
    @Field(key: "claim") public var claim: Int
    @Field(key: "sent_by") public var sentBy: String
    @OptionalField(key: "sent_at") public var sentAt: Date?
    @OptionalField(key: "error_code") public var errorCode: String?
    @OptionalField(key: "error") public var error: String?
    @Field(key: "updated_at") public var updatedAt: Date
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}
