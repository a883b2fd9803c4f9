import Fluent

/// Which attributes Personio shares with a connection's credential, so one it stops sharing reads as
/// unknown rather than empty (`SharedAttributes` as JSON).
struct AddConnectionSharedAttributes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("connections").field("shared_attributes", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("connections").deleteField("shared_attributes").update()
    }
}
