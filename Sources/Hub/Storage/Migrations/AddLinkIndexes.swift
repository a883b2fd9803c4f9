import Fluent

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
