import AsyncHTTPClient
import Fluent
import Foundation
@testable import Hub
import PersonioAPI
import Provisioning
import TestSupport
import Testing
import Vapor

/// The outbound policy at work in a hub, against listeners on this machine's loopback only: a
/// workspace cannot aim a source, a SCIM connection or a webhook at the operator's network; once the
/// operator allows the loopback, the same requests work.
@Suite("Outbound requests", .serialized)
struct OutboundRequestTests {
    /// The listener's port in every spelling the policy must see through.
    static func spellings(_ port: Int) -> [String] {
        ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://2130706433:\(port)", "http://0177.0.0.1:\(port)",
         "http://0x7f.0.0.1:\(port)", "http://127.1:\(port)", "http://[::ffff:127.0.0.1]:\(port)", "http://[::1]:\(port)"]
    }

    struct Hub {
        let fixture: SyncFixture
        let token: String
        let connection: UUID
        var app: Application { fixture.app }
    }

    /// A hub whose runner checks outbound requests with `policy` (as `rollcall serve` does).
    func withHub(_ policy: OutboundPolicy, _ body: (Hub) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 6, seed: 3, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                let outbound = OutboundGuard(policy: policy)
                var runner = fixture.runner()
                runner.outbound = outbound
                runner.scimTransport = GuardedSCIMTransport(outbound)
                try HubApp.mount(app, runner: runner)
                let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "t", on: app.db).token
                let connection = try await fixture.connection(.timeTracking)
                do {
                    try await body(Hub(fixture: fixture, token: token, connection: connection))
                    await outbound.shutdown()
                } catch {
                    await outbound.shutdown()
                    throw error
                }
            }
        }
    }

    @Test func byDefaultTheLoopbackIsRefusedInEverySpellingAndNothingReachesIt() async throws {
        let listener = try await ConnectionCounter()
        let port = listener.port
        do {
            try await withHub(.standard) { hub in
                let api = ManagementAPITests()
                for url in Self.spellings(port) {
                    let source = try await api.call(hub.app, .POST, "\(APIPath.sources)", token: hub.token,
                                                    ["client_id": "x", "client_secret": "y", "base_url": url + "/v1"])
                    #expect(source.status == .unprocessableEntity, "\(url): \(source.json)")
                    #expect(source.error?["field"] as? String == "base_url")
                    #expect(source.error?["code"] as? String == "destination_refused")
                    let scim = try await api.call(hub.app, .POST, "\(APIPath.connections)", token: hub.token, [
                        "source_id": hub.fixture.sourceID.uuidString, "preset": "service-desk", "target": "scim",
                        "scim": ["base_url": url + "/scim/v2", "token": "t"],
                    ])
                    #expect(scim.status == .unprocessableEntity, "\(url): \(scim.json)")
                    #expect(scim.error?["field"] as? String == "scim.base_url")
                    let hook = try await api.call(hub.app, .POST, "\(APIPath.connectionWebhooks(hub.connection))", token: hub.token,
                                                  ["url": url + "/hook"])
                    #expect(hook.status == .unprocessableEntity, "\(url): \(hook.json)")
                    #expect(hook.error?["field"] as? String == "url")
                    #expect((hook.error?["message"] as? String)?.contains("ROLLCALL_OUTBOUND_ALLOW") == true)
                }
                #expect(listener.connections == 0, "nothing even connected to the listener")
            }
            // the counter counts: an allowed request connects once
            let allowed = OutboundGuard(policy: OutboundPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.1"))]))
            let answer = try await GuardedSCIMTransport(allowed).send(method: "GET", url: "http://127.0.0.1:\(port)/Users", headers: [],
                                                                      body: nil, timeout: .seconds(5))
            await allowed.shutdown()
            #expect(answer.status == 200 && listener.connections == 1)
            try await listener.close()
        } catch {
            try? await listener.close()
            throw error
        }
    }

    @Test func aSourceStoredBeforeIsRefusedAtRunTimeWithTheSameExplanation() async throws {
        try await withHub(.standard) { hub in
            // the fixture's source points at the loopback sandbox (stored before the policy applied)
            let report = try await hub.fixture.runner().with(outbound: OutboundGuard(policy: .standard))
                .run(connectionID: hub.connection)
            #expect(report.status == .failed)
            let error = report.error ?? ""
            #expect(error.contains("Rollcall did not call this source's base URL: 127.0.0.1 is not Personio's API"), "\(error)")
            #expect(error.contains("ROLLCALL_OUTBOUND_ALLOW=127.0.0.1"), "\(error)")
        }
    }

    @Test func withTheLoopbackAllowedTheSameRequestsWork() async throws {
        let listener = CountingListener()
        try await withLoopbackServer(listener.routes) { base in
            try await withHub(OutboundPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.1"))])) { hub in
                let api = ManagementAPITests()
                let sandbox = hub.fixture.sandbox
                let source = try await api.call(hub.app, .POST, "\(APIPath.sources)", token: hub.token,
                                                ["client_id": sandbox.clientId, "client_secret": sandbox.clientSecret,
                                                 "base_url": sandbox.baseURL + "/v1"])
                #expect(source.status == .created, "\(source.json)")
                let hook = try await api.call(hub.app, .POST, "\(APIPath.connectionWebhooks(hub.connection))", token: hub.token,
                                              ["url": base + "/hook"])
                #expect(hook.status == .created, "\(hook.json)")
                // a sync through the guarded client reaches the allowed sandbox
                let guarded = OutboundGuard(policy: OutboundPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.1"))]))
                let report = try await hub.fixture.runner().with(outbound: guarded).run(connectionID: hub.connection)
                await guarded.shutdown()
                #expect(report.status == .succeeded)
                #expect((report.counts["create"] ?? 0) > 0)
                // and ::1 is still refused: the allowance names 127.0.0.1 only
                let other = try await api.call(hub.app, .POST, "\(APIPath.connectionWebhooks(hub.connection))", token: hub.token,
                                               ["url": "http://[::1]:9/hook"])
                #expect(other.status == .unprocessableEntity)
            }
        }
    }

    @Test func aWebhookToARefusedAddressIsDeadLetteredWithTheReasonAndNotSent() async throws {
        let listener = CountingListener()
        try await withLoopbackServer(listener.routes) { base in
            try await withHub(.standard) { hub in
                // an endpoint stored before the policy applied (or whose host now resolves elsewhere)
                let id = UUID()
                let endpoint = WebhookEndpointModel(id: id, connectionID: hub.connection, url: base + "/hook",
                                                    sealedSecret: try hub.fixture.vault.seal(WebhookSigner.newSecret(),
                                                                                             context: WebhookDispatcher.secretContext(id)),
                                                    events: ["*"])
                try await endpoint.create(on: hub.app.db)
                _ = try await hub.fixture.sync(hub.connection)
                let guarded = OutboundGuard(policy: .standard)
                let dispatcher = WebhookDispatcher(database: hub.app.db, vault: hub.fixture.vault, http: .guarded(guarded),
                                                   now: hub.fixture.clock.provider)
                while try await dispatcher.deliverDue() > 0 {}
                await guarded.shutdown()
                let deliveries = try await WebhookDeliveryModel.query(on: hub.app.db).all()
                #expect(!deliveries.isEmpty)
                #expect(deliveries.allSatisfy { $0.status == .dead && ($0.lastError ?? "").contains("loopback address") })
                #expect(listener.requests == 0)
            }
        }
    }
}

extension OutboundRequestTests {
    @Test func aRedirectIsNotFollowedNotEvenToAnAllowedAddress() async throws {
        let target = CountingListener()
        try await withLoopbackServer(target.routes) { targetURL in
            try await withLoopbackServer({ app in app.middleware.use(RedirectEverything(to: targetURL + "/stolen")) }) { redirectorURL in
                let allowed = OutboundGuard(policy: OutboundPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.1"))]))
                // a Personio source and a SCIM app that answer 302 Location: <elsewhere>
                let client = PersonioClient(configuration: PersonioConfiguration(baseURL: redirectorURL + "/v1", credentials:
                                                PersonioCredentials(clientID: "c", clientSecret: "s")),
                                            transport: GuardedPersonioTransport(allowed))
                do {
                    _ = try await client.attributes()
                    Issue.record("a redirect was taken for an answer")
                } catch {
                    #expect("\(error)".contains("302"), "\(error)")
                }
                let answer = try await GuardedSCIMTransport(allowed).send(method: "GET", url: redirectorURL + "/scim/v2/Users", headers: [],
                                                                          body: nil, timeout: .seconds(5))
                #expect(answer.status == 302)
                await allowed.shutdown()
                #expect(target.requests == 0, "the redirect's target was never asked")
            }
        }
    }
}

/// Answers every request with a redirect.
struct RedirectEverything: AsyncMiddleware {
    let location: String
    init(to location: String) { self.location = location }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        Response(status: .found, headers: ["Location": location])
    }
}

extension SyncRunner {
    /// This runner with its Personio clients and SCIM transport going through `outbound`.
    func with(outbound: OutboundGuard) -> SyncRunner {
        var runner = SyncRunner(database: database, vault: vault, clients: PersonioClients { baseURL, credentials in
            var configuration = PersonioConfiguration(baseURL: baseURL, credentials: credentials)
            configuration.requestsPerSecond = nil
            return PersonioClient(configuration: configuration, transport: GuardedPersonioTransport(outbound))
        }, now: now, scim: OutboundHTTP.guarded(outbound).scim)
        runner.outbound = outbound
        runner.scimTransport = GuardedSCIMTransport(outbound)
        return runner
    }
}
