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
            let session: String, csrf: String
            do {
                (session, csrf) = try await browseAndSync(context, client: PageClient(app, live: ("http://127.0.0.1:\(port)", http)),
                                                          email: email, logger: logger)
                try await http.shutdown()
                await app.server.shutdown()
            } catch {
                try? await http.shutdown()
                await app.server.shutdown()
                throw error
            }

            let log = lines.all.joined()
            #expect(log.contains("Decoded HTTP part"), "the server's trace lines were captured")
            #expect(log.contains("\"schema\":\"users\""), "Fluent's query lines were captured, the accounts' too")
            let hash = try #require(try await UserModel.query(on: app.db).filter(\.$email == email).first()?.passwordHash)
            let sealed = try #require(try await SourceModel.find(context.fixture.sourceID, on: app.db)?.sealedClientSecret)
            let personioToken = try await context.fixture.sandbox.token()
            for (what, secret) in [("session cookie", session), ("CSRF token", csrf), ("password", DashboardTests.password),
                                   ("password hash", hash), ("sealed secret", sealed), ("Personio secret", context.fixture.sandbox.clientSecret),
                                   ("papi- token prefix", String(personioToken.prefix(12))), ("bcrypt hash prefix", "$2b$04$")] {
                #expect(!log.contains(secret), "\(what) in the log")
                #expect(!log.contains(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret),
                        "\(what), URL-encoded, in the log")
            }
            #expect(!log.contains("Bearer ") || !log.replacingOccurrences(of: "Bearer <redacted>", with: "").contains("Bearer "))
        }
    }

    /// Signs in, looks at a connection, syncs it (with `logger`), previews it and signs out; the
    /// session cookie and CSRF token it used.
    private func browseAndSync(_ context: DashboardTests.Context, client: PageClient, email: String,
                               logger: Logger) async throws -> (session: String, csrf: String) {
        let app = context.app
        #expect(try await client.signIn(email, DashboardTests.password).status == .seeOther)
        let session = try #require(client.cookies["rollcall_session"])
        let connection = try await context.fixture.connection(.timeTracking)
        let page = try await client.get(DashboardPath.connection(connection))
        let csrf = try #require(PageClient.csrf(page))
        let runner = SyncRunner(database: app.db, vault: context.fixture.vault, clients: context.fixture.clients,
                                now: context.fixture.clock.provider, scim: NoSCIMTransport(), logger: logger)
        #expect(try await runner.run(connectionID: connection).status == .succeeded)
        #expect(try await client.post(DashboardPath.connectionAction(connection, .preview), [("csrf", csrf)]).status == .seeOther)
        _ = try await client.post(DashboardPath.signOut, [("csrf", csrf)])
        return (session, csrf)
    }
}
