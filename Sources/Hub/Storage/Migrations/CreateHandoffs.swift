import Fluent

/// Hand-offs from recruiting tools, once per workspace and candidate.
struct CreateHandoffs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("handoffs")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("candidate_id", .string, .required)
            .field("status", .string, .required)
            .field("personio_id", .int)
            .field("attempts", .int, .required)
            .field("sent_by", .string, .required)
            .field("sent_at", .datetime)
            .field("error_code", .string)
            .field("error", .string)
            .field("updated_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "candidate_id")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("handoffs").delete() }
}
