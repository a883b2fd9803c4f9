import Fluent
import FluentSQL

/// Every migration, in the order they run. Each uses only the schema builder or SQL (never the
/// live models, which change later) and has a revert.
public enum HubMigrations {
    public static let all: [any AsyncMigration] = [
        CreateWorkspaces(), CreateUsers(), CreateAPITokens(), CreateSources(), CreateConnections(), CreateLinks(),
        CreateRuns(), CreateRunOperations(), CreateHeldBatches(), CreateAuditEvents(), CreateDirectoryChanges(),
        CreateIndexes(), AddLinkApprovals(), AddConnectionMarks(), CreateWebhooks(), AddLinkIndexes(),
        CreateHandoffs(),
        CreateDashboardSessions(), AddLinkRejections(), CreateAbsences(), AddHandoffClaims(),
        AddConnectionSharedAttributes(), AddRunSkipped(), AddSourceWebURL(), AddSourceAPIVersion(), AddFleetScheduling(),
    ]
}

struct CreateWorkspaces: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces")
            .id()
            .field("name", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("workspaces").delete() }
}

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "email")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("users").delete() }
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("scopes", .array(of: .string), .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("api_tokens").delete() }
}

struct CreateSources: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sources")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("base_url", .string, .required)
            .field("client_id", .string, .required)
            .field("sealed_client_secret", .string, .required)
            .field("partner_id", .string)
            .field("app_id", .string)
            .field("updated_since", .datetime)
            .field("last_full_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("sources").delete() }
}

struct CreateConnections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("connections")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("preset", .string, .required)
            .field("target_kind", .string, .required)
            .field("target_config", .string, .required)
            .field("rules", .string, .required)
            .field("incremental_interval", .int, .required)
            .field("full_interval", .int, .required)
            .field("paused", .bool, .required)
            .field("next_run_at", .datetime)
            .field("next_full_at", .datetime)
            .field("lease_owner", .string)
            .field("lease_expires_at", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("connections").delete() }
}

struct CreateLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("links")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("target_id", .string)
            .field("state", .string, .required)
            .field("fingerprint", .string, .required)
            .field("fields", .string)
            .field("display_name", .string)
            .field("has_been_active", .bool, .required)
            .field("last_error_code", .string)
            .field("last_error", .string)
            .field("failures", .int, .required)
            .field("retry_after", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "connection_id", "personio_id")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("links").delete() }
}

struct CreateRuns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("runs")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("full", .bool, .required)
            .field("dry_run", .bool, .required)
            .field("status", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("counts", .string, .required)
            .field("personio_requests", .int, .required)
            .field("error", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("runs").delete() }
}

struct CreateRunOperations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("run_operations")
            .id()
            .field("run_id", .uuid, .required, .references("runs", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .field("outcome", .string, .required)
            .field("changed_fields", .array(of: .string), .required)
            .field("error_code", .string)
            .field("error_explanation", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("run_operations").delete() }
}

struct CreateHeldBatches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("held_batches")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("run_id", .uuid, .required, .references("runs", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("removals", .int, .required)
            .field("linked", .int, .required)
            .field("created_at", .datetime)
            .field("decided_at", .datetime)
            .field("decided_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("held_batches").delete() }
}

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("detail", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("audit_events").delete() }
}

struct CreateDirectoryChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("directory_changes")
            .field("sequence", .int, .identifier(auto: true))
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("personio_id", .int, .required)
            .field("state", .string, .required)
            .field("fields", .string, .required)
            .field("changed_fields", .array(of: .string), .required)
            .field("run_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("directory_changes").delete() }
}

/// Indexes for the queries every run and every feed read make.
struct CreateIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("runs_connection_started", "runs", ["connection_id", "started_at"]),
        ("run_operations_run", "run_operations", ["run_id"]),
        ("directory_changes_connection_sequence", "directory_changes", ["connection_id", "sequence"]),
        ("connections_due", "connections", ["paused", "next_run_at"]),
    ]

    func prepare(on database: any Database) async throws {
        try await MigrationIndexes.create(Self.indexes, on: database)
    }

    func revert(on database: any Database) async throws {
        try await MigrationIndexes.drop(Self.indexes, on: database)
    }
}

/// Creates and drops the indexes a migration lists (nothing on a database without SQL).
enum MigrationIndexes {
    static func create(_ indexes: [(name: String, table: String, columns: [String])], on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in indexes {
            var builder = sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    static func drop(_ indexes: [(name: String, table: String, columns: [String])], on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in indexes { try await sql.drop(index: index.name).run() }
    }
}

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

/// Webhook endpoints per connection and the durable outbox of their deliveries.
struct CreateWebhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_endpoints")
            .id()
            .field("connection_id", .uuid, .required, .references("connections", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("sealed_secret", .string, .required)
            .field("sealed_previous_secret", .string)
            .field("previous_expires_at", .datetime)
            .field("events", .array(of: .string), .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("webhook_deliveries")
            .field("sequence", .int, .identifier(auto: true))
            .field("event_id", .string, .required)
            .field("endpoint_id", .uuid, .required, .references("webhook_endpoints", "id", onDelete: .cascade))
            .field("personio_id", .int)
            .field("type", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_status", .int)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "webhook_deliveries_due").on("webhook_deliveries").column("status").column("next_attempt_at").run()
        try await sql.create(index: "webhook_deliveries_person").on("webhook_deliveries").column("endpoint_id").column("personio_id")
            .column("sequence").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhook_endpoints").delete()
    }
}

/// Indexes for what every tick counts: links by state, and people due for a retry.
struct AddLinkIndexes: AsyncMigration {
    static let indexes: [(name: String, columns: [String])] = [
        ("links_connection_state", ["connection_id", "state"]),
        ("links_connection_retry", ["connection_id", "retry_after"]),
    ]

    func prepare(on database: any Database) async throws {
        try await MigrationIndexes.create(Self.indexes.map { ($0.name, "links", $0.columns) }, on: database)
    }

    func revert(on database: any Database) async throws {
        try await MigrationIndexes.drop(Self.indexes.map { ($0.name, "links", $0.columns) }, on: database)
    }
}

/// Hand-offs from recruiting tools, once per workspace and candidate.
struct CreateHandoffs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("handoffs")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("source_id", .uuid, .required, .references("sources", "id", onDelete: .cascade))
            .field("candidate_id", .string, .required)
            .field("status", .string, .required)
            .field("personio_id", .int)
            .field("attempts", .int, .required)
            .field("sent_by", .string, .required)
            .field("sent_at", .datetime)
            .field("error_code", .string)
            .field("error", .string)
            .field("updated_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "workspace_id", "candidate_id")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema("handoffs").delete() }
}

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
