import Fluent
import Foundation
import SyncEngine

/// One absence an app pushed into Personio, idempotent by the app's `external_id`.
public final class AbsenceModel: Model, @unchecked Sendable {
    public static let schema = "absences"

    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Not (or not certainly) in Personio yet: being written, or waiting for a retry after a 429/5xx.
        case pending
        case written
        /// Personio refused it (e.g. an overlapping absence); the error says why.
        case failed
        case cancelled
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "source_id") public var sourceID: UUID
    @Field(key: "external_id") public var externalID: String
    @Field(key: "employee_id") public var employeeID: Int
    @Field(key: "kind") public var kind: String
    @Field(key: "time_off_type_id") public var timeOffTypeID: Int
    @Field(key: "unit") public var unit: String
    @Field(key: "start_date") public var startDate: LocalDate
    @Field(key: "end_date") public var endDate: LocalDate
    @Field(key: "half_day_start") public var halfDayStart: Bool
    @Field(key: "half_day_end") public var halfDayEnd: Bool
    @OptionalField(key: "start_time") public var startTime: String?
    @OptionalField(key: "end_time") public var endTime: String?
    @OptionalField(key: "comment") public var comment: String?
    @Enum(key: "status") public var status: Status
    /// Personio's id: a time-off id (day unit) or an absence-period UUID (hour unit).
    @OptionalField(key: "personio_id") public var personioID: String?
    /// Create requests sent so far: after one whose answer was lost, Personio is searched first.
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "retry_at") public var retryAt: Date?
    /// A writer holds the absence until then (one writer at a time, also across instances).
    @OptionalField(key: "claimed_until") public var claimedUntil: Date?
    @OptionalField(key: "error_code") public var errorCode: String?
    @OptionalField(key: "error") public var error: String?
    @Field(key: "sent_by") public var sentBy: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
