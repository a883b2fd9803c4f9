import Fluent

struct CreateRunOperations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("run_operations")
            .id()
            .field("run_id", .uuid, .required, .references("runs", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .field("outcome", .string, .required)
            .field("changed_fields", .array(of: .string), .required)
            .field("error_code", .string)
            .field("error_explanation", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("run_operations").delete() }
}
