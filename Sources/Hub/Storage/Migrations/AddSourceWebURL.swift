import Fluent

/// The address of the company's Personio in the browser (`https://acme.app.personio.com`), so that
/// pages can link to an employee there; optional.
struct AddSourceWebURL: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sources").field("web_url", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sources").deleteField("web_url").update()
    }
}
