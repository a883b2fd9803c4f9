import Fluent
import Foundation
import SyncEngine

/// One employee in one connection: what the target last received, and the last error.
public final class LinkModel: Model, @unchecked Sendable {
    public static let schema = "links"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "connection_id") public var connection: ConnectionModel
    @Field(key: "personio_id") public var personioID: Int
    @OptionalField(key: "target_id") public var targetID: String?
    @Field(key: "state") public var state: LinkState
    /// 16 hex digits.
    @Field(key: "fingerprint") public var fingerprint: String
    /// Mapped fields as JSON, for targets that keep them (feed); nil for SCIM (data minimisation).
    @OptionalField(key: "fields") public var fields: String?
    @OptionalField(key: "display_name") public var displayName: String?
    @Field(key: "has_been_active") public var hasBeenActive: Bool
    @OptionalField(key: "last_error_code") public var lastErrorCode: String?
    @OptionalField(key: "last_error") public var lastError: String?
    @Field(key: "failures") public var failures: Int
    @OptionalField(key: "retry_after") public var retryAfter: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?
    /// When an HR admin approved the draft (presets that require approval), and who.
    @OptionalField(key: "approved_at") public var approvedAt: Date?
    @OptionalField(key: "approved_by") public var approvedBy: String?
    /// Fields set at import rather than read from Personio (the `eor-onboarding` country), as JSON.
    @OptionalField(key: "import_fields") public var importFields: String?
    /// When HR decided not to onboard the draft, and who; it stays a draft and leaves the import list.
    @OptionalField(key: "rejected_at") public var rejectedAt: Date?
    @OptionalField(key: "rejected_by") public var rejectedBy: String?

    public init() {}

    public init(id: UUID? = nil, connectionID: UUID, personioID: Int, targetID: String?, state: LinkState, fingerprint: String,
                fields: String?, displayName: String?, hasBeenActive: Bool) {
        self.id = id
        self.$connection.id = connectionID
        self.personioID = personioID
        self.targetID = targetID
        self.state = state
        self.fingerprint = fingerprint
        self.fields = fields
        self.displayName = displayName
        self.hasBeenActive = hasBeenActive
        self.failures = 0
    }
}
