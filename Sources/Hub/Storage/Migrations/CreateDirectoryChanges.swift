import Fluent

struct CreateDirectoryChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("directory_changes")
            .field("sequence", .int, .identifier(auto: true))
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("state", .string, .required)
            .field("fields", .string, .required)
            .field("changed_fields", .array(of: .string), .required)
            .field("run_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("directory_changes").delete() }
}
