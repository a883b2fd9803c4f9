import Fluent
import Foundation
@testable import Hub
@testable import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// Honestly: a credential that cannot read a required attribute (Department) is an explained error,
/// not a connection that says "connected" and sends nobody; policy rules that lack their attribute
/// warn instead of guessing.
@Suite("Requirements a connection's credential must meet", .serialized)
struct RequirementsTests {
    let api = ManagementAPITests()
    static let withoutDepartment = ["first_name", "last_name", "email", "status", "hire_date", "termination_date", "last_working_day",
                                    "position", "gender", "supervisor"]

    @Test("a survey connection on a credential without Department is blocked, says where to tick it, and sends nobody until it is ticked",
          arguments: TestDatabases.all)
    func blockedUntilTicked(_ database: HubConfiguration.Database) async throws {
        try await MappingAPITests().withAPI(database) { fixture, token in
            let app = fixture.app
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": Self.withoutDepartment]).status == 200)
            let connection = try await fixture.connection(.survey)
            let hook = try await api.call(app, .POST, "\(APIPath.connectionWebhooks(connection))", token: token,
                                          ["url": "http://127.0.0.1:9/hooks", "events": ["connection.failed"]])
            #expect(hook.status == .created, "\(hook.json)")

            let report = try await fixture.sync(connection, full: true)
            #expect(report.status == .failed)
            #expect(report.counts.isEmpty)
            let error = try #require(report.error)
            #expect(error.hasPrefix("Blocked: this connection needs Department (department)"), "\(error)")
            #expect(error.contains("tick ‘Department’ under Readable employee attributes"))
            #expect(try await fixture.links(connection).isEmpty, "nobody was created")

            // the API says so …
            let view = try await api.call(app, .GET, "\(APIPath.connection(connection))", token: token)
            #expect(view.json["blocked_by"] as? [String] == ["department"])
            #expect(view.json["last_error"] as? String == error)
            // … and the connection.failed webhook
            let delivery = try #require(try await WebhookDeliveryModel.query(on: app.db).filter(\.$type == "connection.failed").first())
            #expect(delivery.payload.contains("Blocked: this connection needs Department"))
            // a dry run (preview) is blocked the same way
            #expect(try await fixture.runner().run(connectionID: connection, full: true, dryRun: true).error == error)

            // ticked in Personio: the next run sends people and the block is gone
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": NSNull()]).status == 200)
            fixture.clock.advance(by: 60)
            let after = try await fixture.sync(connection)
            #expect(after.status == .succeeded, "\(after.error ?? "")")
            #expect(after.counts["create", default: 0] > 0)
            let fixed = try await api.call(app, .GET, "\(APIPath.connection(connection))", token: token)
            #expect(fixed.json["blocked_by"] as? [String] == [])
            #expect(fixed.json["last_error"] == nil)
        }
    }

    @Test("a policy rule whose attribute the credential hides warns instead of guessing", arguments: TestDatabases.all)
    func lifecycleWarnings(_ database: HubConfiguration.Database) async throws {
        try await MappingAPITests().withAPI(database) { fixture, token in
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": ["first_name", "last_name", "email", "department", "position"]])
                .status == 200)
            let connection = try await fixture.connection(.timeTracking)
            let report = try await fixture.sync(connection, full: true)
            #expect(report.status == .succeeded, "time tracking needs only name and e-mail")
            let view = try await api.call(fixture.app, .GET, "\(APIPath.connection(connection))", token: token)
            let warnings = view.json["warnings"] as? [String] ?? []
            #expect(warnings.count == 2, "\(warnings)")
            #expect(warnings.first?.contains("hire date (hire_date)") == true)
            #expect(warnings.last?.contains("leavers cannot be recognised") == true)
        }
    }
}
