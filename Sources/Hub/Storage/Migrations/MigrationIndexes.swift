import Fluent
import FluentSQL

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
