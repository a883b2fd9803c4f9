import Fluent

struct CreateSources: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sources")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("base_url", .string, .required)
            .field("client_id", .string, .required)
            .field("sealed_client_secret", .string, .required)
            .field("partner_id", .string)
            .field("app_id", .string)
            .field("updated_since", .datetime)
            .field("last_full_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("sources").delete() }
}
