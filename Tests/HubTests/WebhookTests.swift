import AsyncHTTPClient
import Fluent
import Foundation
@testable import Hub
import Provisioning
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// A webhook receiver on a real port: records every request and answers with the scripted statuses
/// (then 200).
final class WebhookReceiver: @unchecked Sendable {
    struct Received {
        var id: String
        var timestamp: String
        var signature: String
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var type: String { json["type"] as? String ?? "" }
        var personioID: Int? { (json["data"] as? [String: Any])?["personio_id"] as? Int }
    }

    private let lock = NSLock()
    private var received: [Received] = []
    private var script: [UInt] = []
    private var scriptType: String?
    let app: Application
    private(set) var url = ""

    var all: [Received] { lock.withLock { received } }

    /// The next answers, in order (e.g. [500] fails the next request once), to events of `type` only when given.
    func answer(_ statuses: [UInt], to type: String? = nil) { lock.withLock { (script, scriptType) = (statuses, type) } }

    init() async throws {
        app = try await Application.make(.testing)
        app.http.server.configuration.port = 0
        app.routes.defaultMaxBodySize = "1mb"
        app.post("hook") { [self] request -> HTTPStatus in
            let item = Received(id: request.headers.first(name: "webhook-id") ?? "",
                                timestamp: request.headers.first(name: "webhook-timestamp") ?? "",
                                signature: request.headers.first(name: "webhook-signature") ?? "",
                                body: Data(request.body.data.map { Array($0.readableBytesView) } ?? []))
            return lock.withLock {
                received.append(item)
                guard !script.isEmpty, scriptType == nil || scriptType == item.type else { return .ok }
                return HTTPStatus(statusCode: Int(script.removeFirst()))
            }
        }
        try await app.server.start(address: nil)
        url = "http://127.0.0.1:\(app.http.server.shared.localAddress?.port ?? 0)/hook"
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

@Suite("Webhooks: signed, ordered, retried, at least once", .serialized)
struct WebhookTests {
    struct Setup {
        let fixture: SyncFixture
        let receiver: WebhookReceiver
        let token: String
        let connection: UUID
        let endpoint: UUID
        let secret: String
        func dispatcher(_ database: (any Database)? = nil) -> WebhookDispatcher {
            WebhookDispatcher(database: database ?? fixture.app.db, vault: fixture.vault, http: .direct(fixture.sandbox.http),
                              now: fixture.clock.provider)
        }
    }

    func withSetup(_ database: HubConfiguration.Database, _ body: (Setup) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        let receiver = try await WebhookReceiver()
        do {
            try await withSandbox(employees: 6, seed: 8, clock: clock) { sandbox in
                try await TestDatabases.withDatabase(database) { app in
                    let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                    try HubApp.mount(app, runner: fixture.runner())
                    let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "w", on: app.db).token
                    let connection = try await fixture.connection(.timeTracking)
                    let api = WorkspaceAPITests()
                    let bad = try await api.call(app, .POST, "\(APIPath.connectionWebhooks(connection))", token: token,
                                                 ["url": receiver.url, "events": ["person.teleported"]])
                    #expect(bad.error?["field"] as? String == "events[0]")
                    let created = try await api.call(app, .POST, "\(APIPath.connectionWebhooks(connection))", token: token, ["url": receiver.url])
                    #expect(created.status == .created)
                    let secret = try #require(created.json["secret"] as? String)
                    let endpoint = try #require(UUID(uuidString: created.json["id"] as? String ?? ""))
                    let stored = try #require(try await WebhookEndpointModel.find(endpoint, on: app.db))
                    #expect(!stored.sealedSecret.contains(secret.dropFirst(6)))
                    try await body(Setup(fixture: fixture, receiver: receiver, token: token, connection: connection, endpoint: endpoint,
                                         secret: secret))
                }
            }
            try await receiver.stop()
        } catch {
            try? await receiver.stop()
            throw error
        }
    }

    /// Delivers until nothing is due.
    func drain(_ dispatcher: WebhookDispatcher) async throws {
        while try await dispatcher.deliverDue() > 0 {}
    }

    /// Checks a signature with Python's hmac module: an implementation independent of ours.
    func pythonVerifies(_ received: WebhookReceiver.Received, secret: String) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = """
            import base64, hmac, hashlib, sys
            secret, msg_id, ts, sigs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
            body = sys.stdin.buffer.read()
            key = base64.b64decode(secret.removeprefix("whsec_"))
            expected = base64.b64encode(hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()).decode()
            sys.exit(0 if any(s == "v1," + expected for s in sigs.split(" ")) else 1)
            """
        process.arguments = ["python3", "-c", script, secret, received.id, received.timestamp, received.signature]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(received.body)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(arguments: TestDatabases.all)
    func eventsAreSignedCarryTheFieldsAndArriveInOrderPerPerson(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let fixture = setup.fixture
            let hire = try await fixture.hire("Wim", "Hook", startingIn: -5)
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let first = setup.receiver.all
            let created = try #require(first.first { $0.type == "person.created" && $0.personioID == hire })
            let data = try #require(created.json["data"] as? [String: Any])
            #expect((data["fields"] as? [String: String])?["last_name"] == "Hook")
            #expect(data["state"] as? String == "active")
            #expect(created.json["id"] as? String == created.id)
            #expect(first.contains { $0.type == "run.completed" })
            // a tick that changes nothing is not announced
            fixture.clock.advance(by: 60)
            let quiet = try await fixture.sync(setup.connection)
            #expect(quiet.counts.isEmpty)
            #expect(try await WebhookDeliveryModel.query(on: fixture.app.db).filter(\.$status == .pending).count() == 0)
            #expect(try pythonVerifies(created, secret: setup.secret))
            var tampered = created
            tampered.body = Data(String(decoding: created.body, as: UTF8.self).replacingOccurrences(of: "Hook", with: "Hack").utf8)
            #expect(try !pythonVerifies(tampered, secret: setup.secret))

            // two changes to one person: the first fails once, and the second waits for it
            setup.receiver.answer([503], to: "person.updated")
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["last_name": "Hooked"]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(setup.connection)
            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(hire)/terminate",
                                                    ["termination_date": fixture.today(plus: -1)]).status == 200)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(setup.connection)
            let dispatcher = setup.dispatcher()
            try await drain(dispatcher)
            let failedOnce = try #require(try await WebhookDeliveryModel.query(on: fixture.app.db).filter(\.$type == "person.updated").first())
            #expect(failedOnce.status == .pending && failedOnce.attempts == 1 && failedOnce.lastStatus == 503)
            #expect(failedOnce.nextAttemptAt == fixture.clock.now.addingTimeInterval(5))
            #expect(!setup.receiver.all.contains { $0.type == "person.archived" }, "the later event waits for the earlier one")
            fixture.clock.advance(by: 5)
            try await drain(dispatcher)
            let personEvents = setup.receiver.all.filter { $0.personioID == hire }.map(\.type)
            #expect(personEvents == ["person.created", "person.updated", "person.updated", "person.archived"])
            let retried = setup.receiver.all.filter { $0.type == "person.updated" }
            #expect(retried.count == 2 && retried[0].id == retried[1].id, "a retry carries the same webhook-id")
        }
    }

    @Test func aRejectedDeliveryIsDeadLetteredListedAndResent() async throws {
        try await withSetup(.sqlite(path: ":memory:")) { setup in
            let fixture = setup.fixture
            let api = WorkspaceAPITests()
            setup.receiver.answer(Array(repeating: 410, count: 50))
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let dead = try await api.call(fixture.app, .GET, "\(APIPath.webhookDeliveries(setup.endpoint))?status=dead", token: setup.token)
            let rows = try #require(dead.json["data"] as? [[String: Any]])
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { $0["last_status"] as? Int == 410 && $0["attempts"] as? Int == 1 })
            #expect(try await api.call(fixture.app, .GET, "\(APIPath.webhookDeliveries(setup.endpoint))?status=lost",
                                       token: setup.token).error?["field"] as? String == "status")

            setup.receiver.answer([])
            let id = try #require(rows.first?["id"] as? Int)
            #expect(try await api.call(fixture.app, .POST, "\(APIPath.deliveryResend(id))", token: setup.token).status == .accepted)
            #expect(try await api.call(fixture.app, .POST, "\(APIPath.deliveryResend(id))", token: setup.token).status == .conflict)
            #expect(try await api.call(fixture.app, .POST, "\(APIPath.deliveryResend("999999"))", token: setup.token).status == .notFound)
            try await drain(setup.dispatcher())
            #expect(try await WebhookDeliveryModel.find(id, on: fixture.app.db)?.status == .delivered)
        }
    }

    @Test func a404DuringAReceiversDeployIsRetriedAFewTimesBeforeItIsDeadLettered() async throws {
        try await withSetup(.sqlite(path: ":memory:")) { setup in
            let fixture = setup.fixture
            // given a receiver that answers 404 to everything
            setup.receiver.answer(Array(repeating: 404, count: 10_000))
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let first = try #require(try await WebhookDeliveryModel.query(on: fixture.app.db).sort(\.$id).first())
            #expect(first.status == .pending, "a 404 is tried again")
            #expect(first.attempts == 1 && first.lastStatus == 404)
            // when the backoff passes four more times, still 404: dead-lettered after five attempts
            for wait in [5.0, 30, 120, 600] {
                fixture.clock.advance(by: wait)
                try await drain(setup.dispatcher())
            }
            let dead = try #require(try await WebhookDeliveryModel.find(first.id, on: fixture.app.db))
            #expect(dead.status == .dead)
            #expect(dead.attempts == WebhookDispatcher.notFoundAttempts)
        }
    }

    @Test func unreachableEndpointsAreRetriedWithBackoffAndGivenUpAfterThreeDays() {
        let created = SyncRunnerTests.start
        var at = created
        var waits: [TimeInterval] = []
        for attempt in 1... {
            guard let next = WebhookDispatcher.nextAttempt(after: attempt, created: created, now: at) else { break }
            waits.append(next.timeIntervalSince(at))
            at = next
        }
        #expect(Array(waits.prefix(7)) == [5, 30, 120, 600, 3_600, 21_600, 43_200])
        #expect(at.timeIntervalSince(created) <= 3 * 86_400)
        #expect(waits.count < 14)
    }

    @Test(arguments: TestDatabases.all)
    func aDeliveryClaimedByAnInstanceThatDiedIsSentAfterARestart(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let fixture = setup.fixture
            _ = try await fixture.sync(setup.connection)
            let pending = try await WebhookDeliveryModel.query(on: fixture.app.db).count()
            // instance A claims everything and dies before sending
            let claimed = try await setup.dispatcher().claim()
            #expect(claimed.count == pending)
            // a restarted instance finds nothing while the claim lasts, then sends it all
            let restarted = setup.dispatcher()
            #expect(try await restarted.deliverDue() == 0)
            fixture.clock.advance(by: 61)
            try await drain(restarted)
            #expect(setup.receiver.all.count == pending)
            #expect(try await WebhookDeliveryModel.query(on: fixture.app.db).filter(\.$status != .delivered).count() == 0)
        }
    }

    @Test func aConnectionThatStartsFailingAndRecoversSaysSoOnce() async throws {
        try await withSetup(.sqlite(path: ":memory:")) { setup in
            let fixture = setup.fixture
            let source = try #require(try await SourceModel.find(fixture.sourceID, on: fixture.app.db))
            let good = source.sealedClientSecret
            source.sealedClientSecret = try fixture.vault.seal("not-the-secret", context: SyncRunner.secretContext(source))
            try await source.save(on: fixture.app.db)
            _ = try await fixture.sync(setup.connection)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(setup.connection)  // still failing: no second event
            source.sealedClientSecret = good
            try await source.save(on: fixture.app.db)
            fixture.clock.advance(by: 60)
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let types = setup.receiver.all.map(\.type).filter { $0.hasPrefix("connection.") }
            #expect(types == ["connection.failed", "connection.recovered"])
            let failed = try #require(setup.receiver.all.first { $0.type == "connection.failed" })
            #expect(((failed.json["data"] as? [String: Any])?["error"] as? String)?.isEmpty == false)
        }
    }

    @Test func afterARotationBothSecretsSignForADay() async throws {
        try await withSetup(.sqlite(path: ":memory:")) { setup in
            let fixture = setup.fixture
            let rotated = try await WorkspaceAPITests().call(fixture.app, .POST, "\(APIPath.webhookRotate(setup.endpoint))", token: setup.token)
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != setup.secret)
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let during = try #require(setup.receiver.all.first)
            #expect(during.signature.split(separator: " ").count == 2)
            #expect(try pythonVerifies(during, secret: setup.secret))
            #expect(try pythonVerifies(during, secret: newSecret))

            fixture.clock.advance(by: 86_401)
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/10001", ["last_name": "Later"]).status == 200)
            _ = try await fixture.sync(setup.connection)
            try await drain(setup.dispatcher())
            let after = try #require(setup.receiver.all.last)
            #expect(after.signature.split(separator: " ").count == 1)
            #expect(try !pythonVerifies(after, secret: setup.secret))
            #expect(try pythonVerifies(after, secret: newSecret))
        }
    }
}
