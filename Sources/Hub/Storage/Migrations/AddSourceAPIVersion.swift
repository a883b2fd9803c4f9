import Fluent

/// Which of Personio's APIs a source reads through (`v1`, `v2`, `auto`); existing rows keep reading
/// through v1 (the column stays empty for them).
struct AddSourceAPIVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sources").field("api_version", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sources").deleteField("api_version").update()
    }
}
