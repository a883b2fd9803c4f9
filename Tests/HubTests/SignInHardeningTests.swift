import Fluent
import Foundation
@testable import Hub
import NIOCore
import TestSupport
import Testing
import Vapor
import VaporTesting

/// Sign-in under attack: bursts, proxies, redirects after sign-in, invitations accepted at once.
@Suite("Sign-in hardening", .serialized)
struct SignInHardeningTests {
    let dashboard = DashboardTests()

    @Test(arguments: TestDatabases.all)
    func fiftyParallelWrongPasswordsLockTheAccountAndFewReachBcrypt(_ database: HubConfiguration.Database) async throws {
        try await dashboard.withDashboard(database) { context in
            let email = try await context.user(.owner)
            let users = context.users
            // when 50 wrong guesses arrive at once
            let results = try await withThrowingTaskGroup(of: DashboardUsers.SignInResult.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await users.signIn(email: email, password: "not the password at all", address: "203.0.113.7") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // then at most five were checked, the rest refused unchecked, and the right password waits too
            #expect(results.filter(\.isRejected).count <= users.maxFailures)
            #expect(results.filter(\.isLocked).count >= 50 - users.maxFailures)
            #expect(try await users.signIn(email: email, password: DashboardTests.password, address: "203.0.113.7").isLocked)
        }
    }

    @Test func anAttackerBehindATrustedProxyCannotLockOutAnotherUser() async throws {
        try await dashboard.withDashboard { context in
            let app = context.app
            let proxies = TrustedProxies([try #require(IPNetwork("10.0.0.0/8"))])
            func request(from peer: String, forwardedFor: String?, host: String? = nil) throws -> Request {
                var headers = HTTPHeaders()
                if let forwardedFor { headers.add(name: .xForwardedFor, value: forwardedFor) }
                if let host { headers.add(name: "X-Forwarded-Host", value: host); headers.add(name: "X-Forwarded-Proto", value: "https") }
                headers.add(name: .host, value: "hub.internal:8080")
                return Request(application: app, method: .GET, url: URI(path: "/"), headers: headers,
                               remoteAddress: try SocketAddress(ipAddress: peer, port: 40_000), on: app.eventLoopGroup.next())
            }
            // the client address comes from the proxy only when the proxy is trusted
            let attacker = proxies.clientAddress(try request(from: "10.0.0.5", forwardedFor: "203.0.113.7"))
            let victim = proxies.clientAddress(try request(from: "10.0.0.5", forwardedFor: "198.51.100.2, 10.0.0.9"))
            #expect(attacker == "203.0.113.7")
            #expect(victim == "198.51.100.2")
            #expect(proxies.clientAddress(try request(from: "192.0.2.9", forwardedFor: "198.51.100.2")) == "192.0.2.9",
                    "anyone else's header is ignored")
            #expect(TrustedProxies.none.clientAddress(try request(from: "10.0.0.5", forwardedFor: "1.2.3.4")) == "10.0.0.5")
            // and so does the origin of invitation links
            #expect(proxies.origin(try request(from: "10.0.0.5", forwardedFor: nil, host: "rollcall.example")) == "https://rollcall.example")
            #expect(proxies.origin(try request(from: "192.0.2.9", forwardedFor: nil, host: "evil.example")) == "http://hub.internal:8080")

            // when the attacker guesses the victim's password until locked out
            let email = try await context.user(.admin)
            for _ in 0..<10 { _ = try await context.users.signIn(email: email, password: "wrong guess number x", address: attacker) }
            #expect(try await context.users.signIn(email: email, password: DashboardTests.password, address: attacker).isLocked)
            // then the victim, from their own address, signs in
            #expect(try await context.users.signIn(email: email, password: DashboardTests.password, address: victim).isSignedIn)
        }
    }

    @Test func onlyPathsOnThisSiteAreFollowedAfterSignIn() {
        for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/ /x", "/a\u{7f}"] {
            #expect(DashboardRoutes.safeNext(next) == nil, "\(next.debugDescription)")
        }
        #expect(DashboardRoutes.safeNext("/connections?q=ada") == "/connections?q=ada")
    }

    @Test func tenParallelAcceptsOfOneInvitationCreateOneAccountAndNo500() async throws {
        try await dashboard.withDashboard { context in
            let token = try await context.users.invite(workspaceID: context.fixture.workspaceID, email: "new.person@acme.example",
                                                        role: .viewer, by: "owner@acme.example")
            let app = context.app
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await PageClient(app).post(DashboardPath.invite(token), [("name", "New Person \(index)"),
                                                                                     ("password", "a long enough password")]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { [.seeOther, .conflict, .notFound].contains($0) }, "\(statuses)")
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "new.person@acme.example").count() == 1)
        }
    }
}

extension DashboardUsers.SignInResult {
    var isLocked: Bool { if case .locked = self { true } else { false } }
}
