import Fluent
import FluentSQL

/// Approval of drafts (presets that require it) and the fields an import sets.
struct AddLinkApprovals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await database.schema("links").field("approved_at", .datetime).update()
        try await database.schema("links").field("approved_by", .string).update()
        try await database.schema("links").field("import_fields", .string).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["import_fields", "approved_by", "approved_at"] {
            try await database.schema("links").deleteField(FieldKey.string(column)).update()
        }
    }
}
