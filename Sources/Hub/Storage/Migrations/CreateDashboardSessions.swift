import Fluent
import FluentSQL

struct CreateDashboardSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("dashboard_sessions")
            .id()
            .field("token_digest", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_digest")
            .create()
        try await database.schema("sign_in_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("invites")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("token_digest", .string, .required)
            .field("invited_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .unique(on: "token_digest")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX sign_in_attempts_email_at ON sign_in_attempts (email, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invites").delete()
        try await database.schema("sign_in_attempts").delete()
        try await database.schema("dashboard_sessions").delete()
    }
}
