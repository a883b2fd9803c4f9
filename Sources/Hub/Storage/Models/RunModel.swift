import Fluent
import Foundation

/// One sync of one connection: full or incremental, dry run or real.
public final class RunModel: Model, @unchecked Sendable {
    public static let schema = "runs"

    public enum Status: String, Codable, Sendable {
        /// `partial`: some operations failed (each explained, retried later); `failed`: the run could
        /// not list Personio, or every operation it tried failed.
        case running, succeeded, partial, failed, held

        /// The run's outcome from what it tried: never "succeeded" when something failed.
        static func outcome(held: Bool, attempted: Int, failed: Int) -> Status {
            if held { return .held }
            if failed > 0 { return failed >= attempted ? .failed : .partial }
            return .succeeded
        }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "connection_id") public var connection: ConnectionModel
    @Field(key: "full") public var full: Bool
    @Field(key: "dry_run") public var dryRun: Bool
    @Enum(key: "status") public var status: Status
    @Field(key: "started_at") public var startedAt: Date
    @OptionalField(key: "finished_at") public var finishedAt: Date?
    /// Operations by kind, as JSON (`{"create":3,"update":1}`).
    @Field(key: "counts") public var counts: String
    /// Listed people the run left alone, each recorded with the reason (outcome `skipped`, kind `skip`).
    @Field(key: "skipped") public var skipped: Int
    @Field(key: "personio_requests") public var personioRequests: Int
    @OptionalField(key: "error") public var error: String?

    public init() {}

    public init(id: UUID? = nil, connectionID: UUID, full: Bool, dryRun: Bool, startedAt: Date) {
        self.id = id
        self.$connection.id = connectionID
        self.full = full
        self.dryRun = dryRun
        self.status = .running
        self.startedAt = startedAt
        self.counts = "{}"
        self.skipped = 0
        self.personioRequests = 0
    }
}

extension RunModel {
    /// How many operations of each kind the run carried out (and `failed`, `waiting`); empty when none
    /// or unreadable.
    var operationCounts: [String: Int] {
        get { (try? StoredJSON.decode([String: Int].self, counts)) ?? [:] }
    }

    func setOperationCounts(_ counts: [String: Int]) throws {
        self.counts = try StoredJSON.text(counts)
    }
}
