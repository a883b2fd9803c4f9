import Fluent
import FluentSQL
import Foundation
@testable import Hub
import TestSupport
import Vapor

/// The databases storage tests run on: SQLite always, PostgreSQL when `ROLLCALL_TEST_POSTGRES_URL`
/// names one (`.ci/run` starts one; locally the PostgreSQL cases are skipped with a message).
enum TestDatabases {
    static let postgresURL = ProcessInfo.processInfo.environment["ROLLCALL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static var all: [HubConfiguration.Database] {
        [.sqlite(path: ":memory:")] + (postgresURL.map { [.postgres(url: $0)] } ?? [])
    }

    static func name(_ database: HubConfiguration.Database) -> String {
        switch database {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    /// A migrated hub database, shut down afterwards. On PostgreSQL every call gets a database of
    /// its own (created and dropped here), so suites run in parallel without meeting.
    static func withDatabase<T>(_ database: HubConfiguration.Database, _ body: (Application) async throws -> T) async throws -> T {
        try await withDatabase(database) { app, _ in try await body(app) }
    }

    /// The same, also passing the configuration actually used (a second instance connects with it).
    static func withDatabase<T>(_ database: HubConfiguration.Database, migrate: Bool = true,
                                _ body: (Application, HubConfiguration.Database) async throws -> T) async throws -> T {
        guard case .postgres(let url) = database else { return try await withMigrated(database, migrate: migrate, body) }
        let name = "rollcall_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await withSQL(url) { sql in try await sql.raw("CREATE DATABASE \(ident: name)").run() }
        let own = HubConfiguration.Database.postgres(url: replacingDatabase(in: url, with: name))
        do {
            let result = try await withMigrated(own, migrate: migrate, body)
            try await withSQL(url) { sql in try await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
            return result
        } catch {
            try? await withSQL(url) { sql in try await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
            throw error
        }
    }

    /// `migrate: false`: the migrations are registered but not run (an upgrade test runs them).
    private static func withMigrated<T>(_ database: HubConfiguration.Database, migrate: Bool,
                                        _ body: (Application, HubConfiguration.Database) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        do {
            try HubDatabase.configure(app, database)
            if migrate { try await app.autoMigrate() }
            try await HubDatabase.prepare(app.db, database)
            let result = try await body(app, database)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    private static func withSQL(_ url: String, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            try HubDatabase.configure(app, .postgres(url: url))
            guard let sql = app.db as? any SQLDatabase else { throw HarnessError("PostgreSQL without SQL") }
            try await body(sql)
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// `postgres://user@host:port/db?query` with another database name.
    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
