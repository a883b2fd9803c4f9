import Fluent
import FluentSQL

/// A hand-off's claim is taken over by comparing a counter, not a timestamp: SQLite keeps dates
/// with less precision than Swift's, so "updated_at = the value just read" never matched there and
/// a failed hand-off could not be sent again.
struct AddHandoffClaims: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("handoffs").field("claim", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("handoffs").deleteField("claim").update()
    }
}
