import Fluent

/// Drafts HR decided not to onboard: they stay drafts, out of the import list, with who and when.
struct AddLinkRejections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("links").field("rejected_at", .datetime).update()
        try await database.schema("links").field("rejected_by", .string).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["rejected_by", "rejected_at"] {
            try await database.schema("links").deleteField(FieldKey.string(column)).update()
        }
    }
}
