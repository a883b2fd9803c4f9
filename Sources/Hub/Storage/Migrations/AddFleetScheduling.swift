import Fluent

/// What parallel scheduling over many workspaces asks of the database: the claim's check that no
/// connection of a source is leased, the held batch every run looks up, and a row per hub instance
/// (its heartbeat, runs in flight and recent lag) for the operator's health view.
struct AddFleetScheduling: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("connections_source_lease", "connections", ["source_id", "lease_expires_at"]),
        ("held_batches_connection_status", "held_batches", ["connection_id", "status"]),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("hub_instances")
            .field("name", .string, .identifier(auto: false))
            .field("started_at", .datetime, .required)
            .field("seen_at", .datetime, .required)
            .field("concurrency", .int, .required)
            .field("runs_in_flight", .int, .required)
            .field("lag_p50", .double)
            .field("lag_p95", .double)
            .create()
        try await MigrationIndexes.create(Self.indexes, on: database)
    }

    func revert(on database: any Database) async throws {
        try await MigrationIndexes.drop(Self.indexes, on: database)
        try await database.schema("hub_instances").delete()
    }
}
