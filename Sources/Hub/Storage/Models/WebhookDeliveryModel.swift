import Fluent
import Foundation

/// One event for one endpoint: the outbox row, written in the same transaction as the change it
/// reports, and delivered at least once (retried with backoff, dead-lettered after three days).
public final class WebhookDeliveryModel: Model, @unchecked Sendable {
    public static let schema = "webhook_deliveries"

    public enum Status: String, Codable, Sendable {
        case pending, delivered, dead
    }

    /// Increasing across the database: a person's events are delivered in this order.
    @ID(custom: "sequence", generatedBy: .database) public var id: Int?
    /// The `webhook-id`: the receiver's idempotency key (the same on every retry).
    @Field(key: "event_id") public var eventID: String
    @Parent(key: "endpoint_id") public var endpoint: WebhookEndpointModel
    @OptionalField(key: "personio_id") public var personioID: Int?
    @Field(key: "type") public var type: String
    @Field(key: "payload") public var payload: String
    @Enum(key: "status") public var status: Status
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "next_attempt_at") public var nextAttemptAt: Date
    @OptionalField(key: "claimed_until") public var claimedUntil: Date?
    @OptionalField(key: "last_status") public var lastStatus: Int?
    @OptionalField(key: "last_error") public var lastError: String?
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "delivered_at") public var deliveredAt: Date?

    public init() {}
}
