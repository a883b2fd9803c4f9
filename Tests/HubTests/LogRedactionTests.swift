import AsyncHTTPClient
import Fluent
import Foundation
@testable import Hub
import Logging
import TestSupport
import Testing
import Vapor
import VaporTesting

/// Everything the hub writes at `trace`, as JSON, during a dashboard session over a real socket and
/// a sync against the sandbox: no cookie, CSRF token, password (or its hash), Personio token or
/// secret, bearer or API token, or sealed secret may appear in it.
@Suite("Secrets never reach the logs", .serialized)
struct LogRedactionTests {
    @Test func aTraceLogOfADashboardSessionAndASyncHoldsNoSecret() async throws {
        let lines = LogHandlerTests.Lines()
        let logger = Logger(label: "rollcall.test") { label in HubLogHandler(label: label, format: .json, level: .trace, write: lines.append) }
        try await DashboardTests().withDashboard(logger: logger) { context in
            let app = context.app
            // a dashboard session: sign in, look around, sync now, sign out
            let email = try await context.user(.admin)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { Task { try? await http.shutdown(); await app.server.shutdown() } }
            let client = PageClient(app, live: ("http://127.0.0.1:\(port)", http))
            #expect(try await client.signIn(email, DashboardTests.password).status == .seeOther)
            let session = try #require(client.cookies["rollcall_session"])
            let connection = try await context.fixture.connection(.timeTracking)
            let page = try await client.get(DashboardPath.connection(connection))
            let csrf = try #require(PageClient.csrf(page))
            // the sync runs with the same logger, Personio client included
            var runner = SyncRunner(database: app.db, vault: context.fixture.vault, clients: context.fixture.clients, now: context.fixture.clock.provider,
                                    logger: logger)
            runner.batchSize = 500
            #expect(try await runner.run(connectionID: connection).status == .succeeded)
            #expect(try await client.post(DashboardPath.connectionAction(connection, .preview), [("csrf", csrf)]).status == .seeOther)
            _ = try await client.post(DashboardPath.signOut, [("csrf", csrf)])

            let log = lines.all.joined()
            try? log.write(toFile: "/tmp/rollcall-trace.log", atomically: true, encoding: .utf8)
            #expect(log.contains("Decoded HTTP part"), "the server's trace lines were captured")
            #expect(log.contains("\"schema\":\"users\""), "Fluent's query lines were captured, the accounts' too")
            let hash = try #require(try await UserModel.query(on: app.db).filter(\.$email == email).first()?.passwordHash)
            let sealed = try #require(try await SourceModel.find(context.fixture.sourceID, on: app.db)?.sealedClientSecret)
            let personioToken = try await context.fixture.sandbox.token()
            for (what, secret) in [("session cookie", session), ("CSRF token", csrf), ("password", DashboardTests.password),
                                   ("password hash", hash), ("sealed secret", sealed), ("Personio secret", context.fixture.sandbox.clientSecret),
                                   ("papi- token prefix", String(personioToken.prefix(12))), ("bcrypt hash prefix", "$2b$04$")] {
                #expect(!log.contains(secret), "\(what) in the log")
                #expect(!log.contains(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret), "\(what), URL-encoded, in the log")
            }
            #expect(!log.contains("Bearer ") || !log.replacingOccurrences(of: "Bearer <redacted>", with: "").contains("Bearer "))
        }
    }
}
