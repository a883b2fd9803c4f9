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

    /// The workspace, its source and (`connection`) its connections are made through the services, as
    /// the API and the dashboard make them: the source's credentials are checked live on the sandbox.
    static func make(_ app: Application, _ sandbox: SandboxHarness, clock: ManualClock) async throws -> SyncFixture {
        let vault = try Vault(masterKey: Data(repeating: 3, count: 32))
        let clients = Self.clients(sandbox)
        let environment = Self.services(app, sandbox, vault: vault, clock: clock)
        let workspace = try await WorkspaceService(database: app.db, now: clock.provider)
            .createWithoutToken(WorkspaceService.Input(name: "Acme", timeZone: "Europe/Berlin"), defaultTimeZone: "Europe/Berlin", actor: "test")
        let workspaceID = try workspace.requireID()
        let sourceID = try await Self.connect(SourceInput(name: "Sandbox", clientID: sandbox.clientId, clientSecret: sandbox.clientSecret,
                                                          baseURL: sandbox.baseURL + "/v1"),
                                              workspaceID: workspaceID, database: app.db, environment: environment)
        return SyncFixture(app: app, sandbox: sandbox, clock: clock, vault: vault, workspaceID: workspaceID, sourceID: sourceID, clients: clients)
    }

    /// What the services run with: Personio clients of their own, so that a run's first request is
    /// its own sign-in, as on a hub where an admin made the connection earlier.
    private static func services(_ app: Application, _ sandbox: SandboxHarness, vault: Vault, clock: ManualClock) -> HubEnvironment {
        HubEnvironment(vault: vault, clients: clients(sandbox), now: clock.provider, scimTransport: OutboundHTTP.direct(sandbox.http).scim)
    }

    private static func connect(_ input: SourceInput, workspaceID: UUID, database: any Database,
                                environment: HubEnvironment) async throws -> UUID {
        try await SourceService(database: database, environment: environment).connect(input, workspaceID: workspaceID, actor: "test")
            .0.requireID()
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
        try await Self.connect(SourceInput(name: name, clientID: clientID, clientSecret: clientSecret, baseURL: sandbox.baseURL + "/v1"),
                               workspaceID: workspaceID, database: app.db,
                               environment: Self.services(app, sandbox, vault: vault, clock: clock))
    }

    /// A feed connection made from `preset` by `ConnectionService`; `brake: false` then turns the
    /// deletion brake off (a rule the API does not change).
    func connection(_ preset: Preset, brake: Bool = true, source: UUID? = nil) async throws -> UUID {
        var input = ConnectionInput()
        input.sourceID = source ?? sourceID
        input.preset = preset.id
        let connection = try await ConnectionService(database: app.db, environment: Self.services(app, sandbox, vault: vault, clock: clock))
            .create(input, workspaceID: workspaceID, actor: "test")
        if !brake {
            var rules = try connection.connectionRules()
            rules.policy.brake.enabled = false
            try connection.setRules(rules)
            try await connection.save(on: app.db)
        }
        return try connection.requireID()
    }

    func runner(crashAfterBatches: Int? = nil, batchSize: Int = 500) -> SyncRunner {
        var runner = SyncRunner(database: app.db, vault: vault, clients: clients, now: clock.provider, scim: OutboundHTTP.direct(sandbox.http).scim)
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
