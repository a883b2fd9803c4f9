import Fluent

struct CreateLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("links")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("target_id", .string)
            .field("state", .string, .required)
            .field("fingerprint", .string, .required)
            .field("fields", .string)
            .field("display_name", .string)
            .field("has_been_active", .bool, .required)
            .field("last_error_code", .string)
            .field("last_error", .string)
            .field("failures", .int, .required)
            .field("retry_after", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "connection_id", "personio_id")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("links").delete() }
}
