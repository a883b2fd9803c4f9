import Fluent
import Foundation

/// One planned or applied operation of a run, with its reason and outcome.
public final class RunOperationModel: Model, @unchecked Sendable {
    public static let schema = "run_operations"

    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case planned, applied, failed, held, skipped
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "run_id") public var run: RunModel
    @Field(key: "personio_id") public var personioID: Int
    /// `recordedKind` as stored.
    @Field(key: "kind") public var kind: String
    @Field(key: "reason") public var reason: String
    @Enum(key: "outcome") public var outcome: Outcome
    @Field(key: "changed_fields") public var changedFields: [String]
    @OptionalField(key: "error_code") public var errorCode: String?
    @OptionalField(key: "error_explanation") public var errorExplanation: String?

    public init() {}

    public init(id: UUID? = nil, runID: UUID, personioID: Int, kind: RecordedOperationKind, reason: String, outcome: Outcome,
                changedFields: [String] = []) {
        self.id = id
        self.$run.id = runID
        self.personioID = personioID
        self.kind = kind.stored
        self.reason = reason
        self.outcome = outcome
        self.changedFields = changedFields
    }

    /// What was recorded: an operation, a held one or a skip.
    public var recordedKind: RecordedOperationKind {
        get { RecordedOperationKind(stored: kind) }
        set { kind = newValue.stored }
    }
}
