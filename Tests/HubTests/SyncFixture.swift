import Fluent
import Foundation
@testable import Hub
import PersonioAPI
import SyncEngine
import TestSupport
import Vapor

/// A migrated hub database with one workspace, a source on a live sandbox and connections made
/// from presets; syncs run with a clock the test moves.
struct SyncFixture {
    let app: Application
    let sandbox: SandboxHarness
    let clock: ManualClock
    let vault: Vault
    let workspaceID: UUID
    let sourceID: UUID
    let clients: PersonioClients

    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func make(_ app: Application, _ sandbox: SandboxHarness, clock: ManualClock) async throws -> SyncFixture {
        let vault = try Vault(masterKey: Data(repeating: 3, count: 32))
        let workspace = WorkspaceModel(name: "Acme", timeZone: "Europe/Berlin")
        try await workspace.save(on: app.db)
        let source = SourceModel(workspaceID: try workspace.requireID(), name: "Sandbox", baseURL: sandbox.baseURL + "/v1",
                                 clientID: sandbox.clientId, sealedClientSecret: "")
        source.id = UUID()
        source.sealedClientSecret = try vault.seal(sandbox.clientSecret, context: SyncRunner.secretContext(source))
        try await source.create(on: app.db)
        let clients = Self.clients(sandbox)
        return SyncFixture(app: app, sandbox: sandbox, clock: clock, vault: vault, workspaceID: try workspace.requireID(),
                           sourceID: try source.requireID(), clients: clients)
    }

    /// Personio clients on the sandbox without client-side limits; `timeout` short to provoke a lost answer.
    static func clients(_ sandbox: SandboxHarness, timeout: Duration? = nil) -> PersonioClients {
        let http = sandbox.http
        return PersonioClients { baseURL, credentials in
            var configuration = PersonioConfiguration(baseURL: baseURL, credentials: credentials)
            configuration.requestsPerSecond = nil
            configuration.requestsPerMinute = 100_000
            if let timeout { configuration.requestTimeout = timeout }
            return PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http))
        }
    }

    /// Another source of the workspace on the same sandbox, reading with the given credential.
    func addSource(_ name: String, clientID: String, clientSecret: String) async throws -> UUID {
        let source = SourceModel(workspaceID: workspaceID, name: name, baseURL: sandbox.baseURL + "/v1", clientID: clientID, sealedClientSecret: "")
        source.id = UUID()
        source.sealedClientSecret = try vault.seal(clientSecret, context: SyncRunner.secretContext(source))
        try await source.create(on: app.db)
        return try source.requireID()
    }

    func connection(_ preset: Preset, brake: Bool = true, source: UUID? = nil) async throws -> UUID {
        var rules = preset.rules()
        rules.policy.brake.enabled = brake
        let connection = ConnectionModel(workspaceID: workspaceID, sourceID: source ?? sourceID, name: preset.title, preset: preset.id,
                                         targetKind: .feed, targetConfig: "{}", rules: try StoredJSON.text(rules),
                                         incrementalInterval: preset.incrementalInterval, fullInterval: preset.fullInterval)
        try await connection.save(on: app.db)
        return try connection.requireID()
    }

    func runner(crashAfterBatches: Int? = nil, batchSize: Int = 500) -> SyncRunner {
        var runner = SyncRunner(database: app.db, vault: vault, clients: clients, now: clock.provider)
        runner.crashAfterBatches = crashAfterBatches
        runner.batchSize = batchSize
        return runner
    }

    func sync(_ connection: UUID, full: Bool? = nil) async throws -> RunReport {
        try await runner().run(connectionID: connection, full: full)
    }

    /// The connection's links by Personio id.
    func links(_ connection: UUID) async throws -> [Int: LinkModel] {
        let rows = try await LinkModel.query(on: app.db).filter(\.$connection.$id == connection).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.personioID, $0) })
    }

    func changes(_ connection: UUID, of person: Int? = nil) async throws -> [DirectoryChangeModel] {
        var query = DirectoryChangeModel.query(on: app.db).filter(\.$connection.$id == connection)
        if let person { query = query.filter(\.$personioID == person) }
        return try await query.sort(\.$id).all()
    }

    /// Creates an employee in the sandbox; returns the id.
    func hire(_ first: String, _ last: String, startingIn days: Int, status: String = "active") async throws -> Int {
        let start = LocalDate.today(clock.now, Self.berlin).adding(days: days)
        let reply = try await sandbox.admin(.POST, "/sandbox/employees", [
            "first_name": first, "last_name": last, "email": "\(first.lowercased()).\(last.lowercased())@acme.example",
            "hire_date": start.description, "status": status, "department": "Engineering", "position": "Engineer",
        ])
        guard reply.status == 201, let id = reply.json["id"] as? Int else { throw HarnessError("hire failed: \(reply.text)") }
        return id
    }

    func today(plus days: Int = 0) -> String { LocalDate.today(clock.now, Self.berlin).adding(days: days).description }
}
