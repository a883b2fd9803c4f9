import Fluent

struct CreateWorkspaces: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces")
            .id()
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("workspaces").delete() }
}
