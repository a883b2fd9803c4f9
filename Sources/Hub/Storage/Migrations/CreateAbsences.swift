import Fluent
import FluentSQL

/// Absence pushes: the kind → time-off type mapping per source, and each pushed absence.
struct CreateAbsences: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("absence_kinds")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("time_off_type_id", .int, .required)
            .field("type_name", .string, .required)
            .field("unit", .string, .required)
            .unique(on: "source_id", "kind")
            .create()
        try await database.schema("absences")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("external_id", .string, .required)
            .field("employee_id", .int, .required)
            .field("kind", .string, .required)
            .field("time_off_type_id", .int, .required)
            .field("unit", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("half_day_start", .bool, .required)
            .field("half_day_end", .bool, .required)
            .field("start_time", .string)
            .field("end_time", .string)
            .field("comment", .string)
            .field("status", .string, .required)
            .field("personio_id", .string)
            .field("attempts", .int, .required)
            .field("retry_at", .datetime)
            .field("claimed_until", .datetime)
            .field("error_code", .string)
            .field("error", .string)
            .field("sent_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id", "external_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX absences_status_retry ON absences (status, retry_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("absences").delete()
        try await database.schema("absence_kinds").delete()
    }
}
