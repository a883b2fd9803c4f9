import Fluent

struct CreateHeldBatches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("held_batches")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("run_id", .uuid, .required, .references("runs", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("removals", .int, .required)
            .field("linked", .int, .required)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .field("decided_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("held_batches").delete() }
}
