import Fluent

struct CreateRuns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("runs")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("full", .bool, .required)
            .field("dry_run", .bool, .required)
            .field("status", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("counts", .string, .required)
            .field("personio_requests", .int, .required)
            .field("error", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("runs").delete() }
}
