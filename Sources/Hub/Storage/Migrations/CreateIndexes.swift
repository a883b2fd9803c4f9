import Fluent

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
