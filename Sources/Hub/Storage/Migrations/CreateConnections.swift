import Fluent

struct CreateConnections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("connections")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("preset", .string, .required)
            .field("target_kind", .string, .required)
            .field("target_config", .string, .required)
            .field("rules", .string, .required)
            .field("incremental_interval", .int, .required)
            .field("full_interval", .int, .required)
            .field("paused", .bool, .required)
            .field("next_run_at", .datetime)
            .field("next_full_at", .datetime)
            .field("lease_owner", .string)
            .field("lease_expires_at", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("connections").delete() }
}
