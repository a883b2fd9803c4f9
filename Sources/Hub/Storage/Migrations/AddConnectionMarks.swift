import Fluent

/// The `updated_since` high-water mark moves from the source to each connection.
struct AddConnectionMarks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("connections").field("updated_since", .datetime).update()
        try await database.schema("connections").field("last_full_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["last_full_at", "updated_since"] {
            try await database.schema("connections").deleteField(FieldKey.string(column)).update()
        }
    }
}
