import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import FluentSQL
import NIOCore
import Vapor

/// Where the hub keeps its data: SQLite by default, PostgreSQL for several instances.
public enum HubDatabase {
    /// Registers the database and every migration on `app`. `runsInFlight`: how many syncs run at
    /// once, which sizes PostgreSQL's connection pool (each run holds one connection while it writes a
    /// batch, and the API and the scheduler need some of their own).
    public static func configure(_ app: Application, _ database: HubConfiguration.Database, runsInFlight: Int = 4) throws {
        switch database {
        case .sqlite(let path):
            // SQLite has one connection per event loop; queries queue for it, so they wait longer than
            // the default 10 s before giving up when many runs write at once.
            app.databases.use(.sqlite(path == ":memory:" ? .memory : .file(path), connectionPoolTimeout: .seconds(120)), as: .sqlite)
        case .postgres(let url):
            let loops = max(1, System.coreCount)
            let perLoop = max(2, (runsInFlight + 4 + loops - 1) / loops)
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url), maxConnectionsPerEventLoop: perLoop,
                                        connectionPoolTimeout: .seconds(60)), as: .psql)
        }
        app.migrations.add(HubMigrations.all)
    }

    /// Reads query results into Swift types by the hub's naming (`sourceID` is the column `source_id`).
    static let rows = SQLRowDecoder(keyDecodingStrategy: .custom { path in
        SomeCodingKey(stringValue: HubJSON.fieldName(path.last?.stringValue ?? ""))
    })

    /// Turns on SQLite's write-ahead log for a file database (readers no longer wait for a writer,
    /// and a writer no longer waits for readers); it stays on in the file. Nothing for PostgreSQL.
    public static func prepare(_ database: any Database, _ configuration: HubConfiguration.Database) async throws {
        guard case .sqlite(let path) = configuration, path != ":memory:", let sql = database as? any SQLDatabase else { return }
        let mode = try await sql.raw("PRAGMA journal_mode=WAL").all().first.flatMap { try? $0.decode(column: "journal_mode", as: String.self) }
        guard mode?.lowercased() == "wal" else {
            throw HubConfiguration.ConfigurationError(variable: "ROLLCALL_DATABASE_URL",
                                                      problem: "SQLite could not switch \(path) to write-ahead logging (it answered "
                                                               + "\(mode ?? "nothing"))")
        }
    }
}
