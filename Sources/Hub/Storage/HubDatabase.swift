import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Where the hub keeps its data: SQLite by default, PostgreSQL for several instances.
public enum HubDatabase {
    /// Registers the database and every migration on `app`.
    public static func configure(_ app: Application, _ database: HubConfiguration.Database) throws {
        switch database {
        case .sqlite(let path):
            app.databases.use(.sqlite(path == ":memory:" ? .memory : .file(path)), as: .sqlite)
        case .postgres(let url):
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url)), as: .psql)
        }
        app.migrations.add(HubMigrations.all)
    }
}
