import Fluent
import FluentSQL

/// How many listed people a run left alone (each recorded with the reason), so "nothing to do" never
/// hides people who were skipped.
struct AddRunSkipped: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("runs").field("skipped", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("runs").deleteField("skipped").update()
    }
}
