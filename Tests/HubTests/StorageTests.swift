import Fluent
import FluentSQL
import Foundation
@testable import Hub
import TestSupport
import Testing
import Vapor

@Suite("Storage on SQLite and PostgreSQL", .serialized)
struct StorageTests {
    @Test func postgresIsConfiguredOrTheSkipIsExplained() {
        if TestDatabases.postgresURL == nil {
            print("PostgreSQL storage tests skipped: set ROLLCALL_TEST_POSTGRES_URL=postgres://… (as .ci/run does) to run them")
        }
        #expect(TestDatabases.all.count == (TestDatabases.postgresURL == nil ? 1 : 2))
    }

    @Test(arguments: TestDatabases.all)
    func migrationsRunInOrderAndRevertCompletely(_ database: HubConfiguration.Database) async throws {
        try await TestDatabases.withDatabase(database) { app in
            // given a workspace with a source, a connection, a link, a run and a change
            let workspace = WorkspaceModel(name: "Acme", timeZone: "Europe/Berlin")
            try await workspace.save(on: app.db)
            let source = SourceModel(workspaceID: try workspace.requireID(), name: "Personio", baseURL: "http://127.0.0.1:8090/v1",
                                     clientID: "client", sealedClientSecret: "v1:sealed")
            try await source.save(on: app.db)
            let connection = ConnectionModel(workspaceID: try workspace.requireID(), sourceID: try source.requireID(), name: "Clockodo",
                                             preset: "time-tracking", targetKind: .feed, targetConfig: "{}", rules: "{}",
                                             incrementalInterval: 60, fullInterval: 43_200)
            try await connection.save(on: app.db)
            let connectionID = try connection.requireID()
            try await LinkModel(connectionID: connectionID, personioID: 10001, targetID: "10001", state: .active,
                                fingerprint: "00000000000000ff", fields: #"{"email":"a@b.example"}"#, displayName: "Ada",
                                hasBeenActive: true).save(on: app.db)
            let run = RunModel(connectionID: connectionID, full: true, dryRun: false, startedAt: Date(timeIntervalSince1970: 1_795_341_600))
            try await run.save(on: app.db)
            try await RunOperationModel(runID: try run.requireID(), personioID: 10001, kind: "create", reason: "active: employed",
                                        outcome: .applied, changedFields: ["email"]).save(on: app.db)
            for personioID in [10001, 10002] {
                try await DirectoryChangeModel(connectionID: connectionID, personioID: personioID, state: .active, fields: "{}",
                                               changedFields: ["email", "first_name"], runID: try run.requireID(),
                                               at: Date(timeIntervalSince1970: 1_795_341_600)).save(on: app.db)
            }

            // then everything reads back, arrays included, and the feed's sequence increases
            let operation = try #require(try await RunOperationModel.query(on: app.db).first())
            #expect(operation.changedFields == ["email"])
            #expect(operation.outcome == .applied)
            let changes = try await DirectoryChangeModel.query(on: app.db).sort(\.$id).all()
            #expect(changes.count == 2)
            #expect((changes[0].id ?? 0) < (changes[1].id ?? 0))
            #expect(changes[1].changedFields == ["email", "first_name"])

            // and a second link for the same person in the same connection is refused
            await #expect(throws: (any Error).self) {
                try await LinkModel(connectionID: connectionID, personioID: 10001, targetID: nil, state: .draft,
                                    fingerprint: "0000000000000000", fields: nil, displayName: nil, hasBeenActive: false).save(on: app.db)
            }

            // and deleting the workspace removes everything that belongs to it
            try await workspace.delete(on: app.db)
            #expect(try await LinkModel.query(on: app.db).count() == 0)
            #expect(try await RunOperationModel.query(on: app.db).count() == 0)
            #expect(try await DirectoryChangeModel.query(on: app.db).count() == 0)

            // and reverting every migration leaves no table behind; migrating again works
            try await app.autoRevert()
            await #expect(throws: (any Error).self) { try await WorkspaceModel.query(on: app.db).count() }
            await #expect(throws: (any Error).self) { try await DirectoryChangeModel.query(on: app.db).count() }
            try await app.autoMigrate()
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)
        }
    }
}

/// The typed storage of issue 15 (link and change states as `LinkState`, a connection's target as
/// `TargetKind`) keeps the columns and the text in them: rows as the earlier, string-typed code wrote
/// them (raw SQL here, the same statements it issued) read back intact, and what the typed models
/// write is the same text.
@Suite("Typed storage reads what the string-typed code wrote", .serialized)
struct TypedStorageUpgradeTests {
    @Test(arguments: TestDatabases.all)
    func rowsWrittenAsTextReadBackTypedAndUnchanged(_ database: HubConfiguration.Database) async throws {
        try await TestDatabases.withDatabase(database) { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let workspace = WorkspaceModel(name: "Acme", timeZone: "Europe/Berlin")
            try await workspace.save(on: app.db)
            let source = SourceModel(workspaceID: try workspace.requireID(), name: "Personio", baseURL: "http://127.0.0.1:8090/v1",
                                     clientID: "client", sealedClientSecret: "v1:sealed")
            try await source.save(on: app.db)
            // the earlier code's rows: target_kind and state as text
            let connectionIDs = [UUID(), UUID()]
            for (id, kind) in zip(connectionIDs, ["feed", "scim"]) {
                try await sql.raw("""
                    INSERT INTO connections (id, workspace_id, source_id, name, preset, target_kind, target_config, rules,                     \
                    incremental_interval, full_interval, paused) VALUES (\(bind: id), \(bind: try workspace.requireID()), \
                    \(bind: try source.requireID()), \(bind: kind), 'time-tracking', \(bind: kind), '{}', '{}', 60, 43200, \(bind: false))
                    """).run()
            }
            let states = ["draft", "archived", "active", "deleted"]
            for (index, state) in states.enumerated() {
                try await sql.raw("""
                    INSERT INTO links (id, connection_id, personio_id, target_id, state, fingerprint, has_been_active, failures)                     \
                    VALUES (\(bind: UUID()), \(bind: connectionIDs[0]), \(bind: 10001 + index), NULL, \(bind: state), \
                    '00000000000000ff', \(bind: true), 0)
                    """).run()
            }
            // a run as the code before `runs.skipped` wrote it: the new column reads 0
            let runID = UUID()
            try await sql.raw("""
                INSERT INTO runs (id, connection_id, "full", dry_run, status, started_at, counts, personio_requests) \
                VALUES (\(bind: runID), \(bind: connectionIDs[0]), \(bind: true), \(bind: false), 'succeeded', \(bind: Date()), '{"create":4}', 1)
                """).run()
            let run = try #require(try await RunModel.find(runID, on: app.db))
            #expect(run.skipped == 0 && run.operationCounts == ["create": 4] && run.status == .succeeded)
            // read typed: every row, every value
            let connections = try await ConnectionModel.query(on: app.db).sort(\.$name).all()
            #expect(connections.map(\.targetKind) == [.feed, .scim])
            let links = try await LinkModel.query(on: app.db).sort(\.$personioID).all()
            #expect(links.map(\.state.rawValue) == states)
            #expect(try await LinkModel.query(on: app.db).filter(\.$state == .active).count() == 1)
            // written typed: the same text as before
            links[0].state = .active
            try await links[0].save(on: app.db)
            let stored = try await sql.raw("SELECT state FROM links WHERE personio_id = 10001").first(decoding: [String: String].self)
            #expect(stored?["state"] == "active")
            let kinds = try await sql.raw("SELECT target_kind FROM connections ORDER BY name").all(decoding: [String: String].self)
            #expect(kinds.map { $0["target_kind"] } == ["feed", "scim"])
            // the overview's grouped count reads the same states
            let environment = HubEnvironment(vault: try Vault(masterKey: Data(repeating: 1, count: 32)),
                                             clients: PersonioClients { _, _ in fatalError("no Personio in this test") }, now: { Date() },
                                             scimTransport: NoSCIMTransport())
            let counts = try await ConnectionService(database: app.db, environment: environment).peopleByState(connectionIDs)
            #expect(counts == [connectionIDs[0]: [.active: 2, .archived: 1, .deleted: 1]])
        }
    }
}

@Suite("Vault")
struct VaultTests {
    let vault = try! Vault(masterKey: Data(repeating: 7, count: 32))

    @Test func sealsAndOpensASecret() throws {
        let sealed = try vault.seal("s3cr3t-personio", context: "source:1:client_secret")
        #expect(sealed.hasPrefix("v1:"))
        #expect(!sealed.contains("s3cr3t"))
        #expect(try vault.open(sealed, context: "source:1:client_secret") == "s3cr3t-personio")
    }

    @Test func aSecretSealedForOneRowDoesNotOpenInAnother() throws {
        let sealed = try vault.seal("s3cr3t", context: "source:1:client_secret")
        #expect(throws: Vault.VaultError.cannotOpen) { try vault.open(sealed, context: "source:2:client_secret") }
    }

    @Test func anotherMasterKeyCannotOpenItAndSaysWhy() throws {
        let sealed = try vault.seal("s3cr3t", context: "c")
        let other = try Vault(masterKey: Data(repeating: 8, count: 32))
        #expect(throws: Vault.VaultError.cannotOpen) { try other.open(sealed, context: "c") }
        #expect(Vault.VaultError.cannotOpen.description.contains("ROLLCALL_MASTER_KEY"))
        #expect(throws: Vault.VaultError.malformed) { try vault.open("plain", context: "c") }
        #expect(throws: Vault.VaultError.badMasterKey) { try Vault(masterKey: Data(count: 16)) }
    }

    @Test func sealingTwiceGivesDifferentCiphertexts() throws {
        #expect(try vault.seal("same", context: "c") != vault.seal("same", context: "c"))
    }
}

@Suite("A run's status")
struct RunStatusTests {
    @Test func aRunWithFailuresNeverSaysSucceeded() {
        #expect(RunModel.Status.outcome(held: false, attempted: 10, failed: 0) == .succeeded)
        #expect(RunModel.Status.outcome(held: false, attempted: 0, failed: 0) == .succeeded)
        #expect(RunModel.Status.outcome(held: false, attempted: 10, failed: 3) == .partial)
        #expect(RunModel.Status.outcome(held: false, attempted: 10, failed: 10) == .failed)
        #expect(RunModel.Status.outcome(held: true, attempted: 10, failed: 2) == .held)
    }
}
