import Foundation
import SyncEngine

/// One operation as a target applies it: the engine's operation plus what the hub knows of the link.
public struct TargetOperation: Sendable, Hashable {
    public var kind: SyncEngine.Operation.Kind
    public var personioID: Int
    /// The target's id for the person, when linked.
    public var targetID: String?
    /// The mapped fields (for every kind but delete).
    public var fields: [String: String]
    public var changedFields: [String]

    public init(kind: SyncEngine.Operation.Kind, personioID: Int, targetID: String?, fields: [String: String], changedFields: [String] = []) {
        self.kind = kind
        self.personioID = personioID
        self.targetID = targetID
        self.fields = fields
        self.changedFields = changedFields
    }
}

/// What became of one operation.
public enum TargetOutcome: Sendable, Hashable {
    /// Done; `targetID` is the person's id in the target from now on (nil after a delete).
    case applied(targetID: String?, note: String?)
    /// Not done. `retryable` failures are tried again by a later run, after a backoff.
    case failed(TargetFailure)
}

/// A per-person failure, explained for an HR admin: what the target said and what to do.
public struct TargetFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Short machine code: `scim_409_uniqueness`, `scim_400_invalidValue`, `unreachable`, `bad_response`, …
    public var code: String
    public var explanation: String
    public var retryable: Bool

    public init(code: String, explanation: String, retryable: Bool) {
        self.code = code
        self.explanation = explanation
        self.retryable = retryable
    }

    public var description: String { "\(code): \(explanation)" }
}

/// Backoff between runs for a person whose operation failed: 1 min, 5 min, 30 min, 2 h, then 6 h.
public enum RetryBackoff {
    public static let steps: [TimeInterval] = [60, 300, 1_800, 7_200, 21_600]

    /// The wait after the `failures`-th failure in a row (1-based).
    public static func delay(afterFailures failures: Int) -> TimeInterval {
        steps[min(max(failures, 1), steps.count) - 1]
    }
}
