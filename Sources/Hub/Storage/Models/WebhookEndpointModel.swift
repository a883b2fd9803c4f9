import Fluent
import Foundation

/// Where a connection's events are sent. The secret is sealed with the vault; after a rotation the
/// previous one also signs until `previousExpiresAt`, so receivers can switch without losing events.
public final class WebhookEndpointModel: Model, @unchecked Sendable {
    public static let schema = "webhook_endpoints"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "connection_id") public var connection: ConnectionModel
    @Field(key: "url") public var url: String
    @Field(key: "sealed_secret") public var sealedSecret: String
    @OptionalField(key: "sealed_previous_secret") public var sealedPreviousSecret: String?
    @OptionalField(key: "previous_expires_at") public var previousExpiresAt: Date?
    /// Event types sent; `*` is every type.
    @Field(key: "events") public var events: [String]
    @Field(key: "enabled") public var enabled: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, connectionID: UUID, url: String, sealedSecret: String, events: [String]) {
        self.id = id
        self.$connection.id = connectionID
        self.url = url
        self.sealedSecret = sealedSecret
        self.events = events
        self.enabled = true
    }

    func wants(_ type: String) -> Bool { enabled && (events.contains("*") || events.contains(type)) }
}
