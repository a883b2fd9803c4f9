import Fluent
import FluentSQL

/// Webhook endpoints per connection and the durable outbox of their deliveries.
struct CreateWebhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_endpoints")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("sealed_secret", .string, .required)
            .field("sealed_previous_secret", .string)
            .field("previous_expires_at", .datetime)
            .field("events", .array(of: .string), .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("webhook_deliveries")
            .field("sequence", .int, .identifier(auto: true))
            .field("event_id", .string, .required)
            .field("endpoint_id", .uuid, .required, .references("webhook_endpoints", "id", onDelete: .cascade))
            .field("personio_id", .int)
            .field("type", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_status", .int)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "webhook_deliveries_due").on("webhook_deliveries").column("status").column("next_attempt_at").run()
        try await sql.create(index: "webhook_deliveries_person").on("webhook_deliveries").column("endpoint_id").column("personio_id")
            .column("sequence").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhook_endpoints").delete()
    }
}
