import Fluent
import Foundation
@testable import Hub
import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor

/// A tenant may point a source anywhere. Whatever that server answers — JSON nested 10,000 deep,
/// garbage, a body that never ends or one that trickles — the source's runs fail with an
/// explanation, and the hub and the other workspaces carry on.
@Suite("A hostile Personio")
struct HostilePersonioTests {
    /// Clients that give up quickly: one retry, three seconds per exchange, bodies up to 1 MB (an
    /// endless body reaches that long before the time limit, also on a busy machine).
    static func impatientClients(_ http: HTTPClient) -> PersonioClients {
        PersonioClients { baseURL, credentials in
            var configuration = PersonioConfiguration(baseURL: baseURL, credentials: credentials)
            configuration.requestsPerSecond = nil
            configuration.requestsPerMinute = 100_000
            configuration.requestTimeout = .seconds(3)
            configuration.maxAttempts = 2
            configuration.baseBackoff = .milliseconds(10)
            return PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http, maxBodyBytes: 1 << 20))
        }
    }

    @Test func eachMisbehaviourFailsItsSourceWithAReasonAndTheOtherWorkspaceStillSyncs() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withHostilePersonio { hostile in
            try await withSandbox(employees: 8, seed: 11, clock: clock) { sandbox in
                try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                    // given a healthy workspace on the sandbox, and a second one whose source is hostile
                    let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                    let healthy = try await fixture.connection(.timeTracking)
                    let tenant = WorkspaceModel(name: "Mallory", timeZone: "Europe/Berlin")
                    try await tenant.save(on: app.db)
                    let runner = SyncRunner(database: app.db, vault: fixture.vault, clients: Self.impatientClients(sandbox.http),
                                            now: clock.provider, scim: NoSCIMTransport())
                    let expected: [HostilePersonio.Mode: String] = [
                        .deep: "nested deeper than 256 levels",
                        .garbage: "not valid JSON",
                        .endless: "larger than 1 MB",
                        .slow: "no complete answer within 3 s",
                        .chatty: "Personio refused the request: Mallory says",
                    ]
                    for mode in HostilePersonio.Mode.allCases {
                        let source = SourceModel(workspaceID: try tenant.requireID(), name: mode.rawValue, baseURL: hostile.baseURL(mode),
                                                 clientID: "mallory", sealedClientSecret: "")
                        source.id = UUID()
                        source.sealedClientSecret = try fixture.vault.seal("secret", context: SyncRunner.secretContext(source))
                        try await source.create(on: app.db)
                        var rules = Preset.timeTracking.rules()
                        rules.policy.brake.enabled = true
                        let connection = ConnectionModel(workspaceID: try tenant.requireID(), sourceID: try source.requireID(),
                                                         name: mode.rawValue, preset: Preset.timeTracking.id, targetKind: .feed,
                                                         targetConfig: "{}", rules: try StoredJSON.text(rules),
                                                         incrementalInterval: 60, fullInterval: 3600)
                        try await connection.save(on: app.db)

                        // when
                        let report = try await runner.run(connectionID: try connection.requireID())

                        // then the run failed, saying why, and nobody was linked
                        #expect(report.status == .failed, "\(mode)")
                        let error = report.error ?? ""
                        #expect(error.contains("Personio"), "\(mode): \(error)")
                        #expect(error.contains(expected[mode] ?? "?"), "\(mode): \(error)")
                        // what the host said is a short excerpt on one line
                        #expect(error.count < 700 && !error.contains("\n") && !error.contains("\u{1B}"), "\(mode): \(error.prefix(300))")
                        #expect(try await LinkModel.query(on: app.db).filter(\.$connection.$id == connection.requireID()).count() == 0)
                    }

                    // and the healthy workspace syncs as before
                    let report = try await fixture.sync(healthy)
                    #expect(report.status == .succeeded)
                    #expect((report.counts["create"] ?? 0) > 0)
                }
            }
        }
    }
}
