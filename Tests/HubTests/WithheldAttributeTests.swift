import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor

/// Personio stops sharing an attribute (an admin unticks it for the API credential): the hub must
/// not read that as "everyone's department became empty" or "nobody has a status any more".
@Suite("A permission removed in Personio", .serialized)
struct WithheldAttributeTests {
    struct Snapshot: Equatable {
        var states: [Int: LinkState]
        var fields: [Int: String]
        var changes: Int
    }

    func snapshot(_ fixture: SyncFixture, _ connection: UUID) async throws -> Snapshot {
        let links = try await fixture.links(connection)
        return Snapshot(states: links.mapValues(\.state), fields: links.mapValues { $0.fields ?? "" },
                        changes: try await fixture.changes(connection).count)
    }

    func withFixture(_ body: (SyncFixture) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 60, seed: 11, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                try await body(try await SyncFixture.make(app, sandbox, clock: clock))
            }
        }
    }

    @Test(arguments: ["department", "status", "hire_date", "termination_date", "email"])
    func nothingIsClearedCreatedArchivedOrDeletedAndTheConnectionSaysWhy(_ attribute: String) async throws {
        try await withFixture { fixture in
            // given two feed connections in step with Personio
            let connections = [try await fixture.connection(.timeTracking), try await fixture.connection(.survey)]
            var before: [Snapshot] = []
            for connection in connections {
                #expect(try await fixture.sync(connection, full: true).status == .succeeded)
                before.append(try await snapshot(fixture, connection))
            }
            #expect(before.allSatisfy { $0.states.count > 20 })

            // when the credential stops returning the attribute, for an incremental and a full listing
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["drop_attribute": attribute]).status == 200)
            for full in [false, true] {
                fixture.clock.advance(by: 60)
                for (index, connection) in connections.enumerated() {
                    let report = try await fixture.sync(connection, full: full)
                    // then nothing the apps hold changes
                    #expect(report.status == .succeeded)
                    #expect(report.counts.isEmpty, "\(attribute), full \(full): \(report.counts)")
                    #expect(try await snapshot(fixture, connection) == before[index], "\(attribute), full \(full)")
                    if full {
                        if ConnectionRules.lifecycleAttributes.contains(attribute) {  // everyone is left as they are, and counted
                            #expect(report.skipped >= before[index].states.count)
                        }
                        #expect(report.error?.contains("Personio stopped sharing \(attribute) (since 2026-11-22)") == true, "\(report.error ?? "")")
                    }
                }
            }
            // and each connection names what Personio withholds
            for connection in connections {
                let model = try #require(try await ConnectionModel.find(connection, on: fixture.app.db))
                #expect(try API.ConnectionView(model).withheldAttributes.map(\.attribute) == [attribute])
            }

            // when the attribute is ticked again, the connections are as before and nothing was sent
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": NSNull()]).status == 200)
            fixture.clock.advance(by: 60)
            for (index, connection) in connections.enumerated() {
                let report = try await fixture.sync(connection, full: true)
                #expect(report.counts.isEmpty, "\(report.counts)")
                #expect(report.error == nil)
                #expect(try await snapshot(fixture, connection) == before[index])
                let model = try #require(try await ConnectionModel.find(connection, on: fixture.app.db))
                #expect(try API.ConnectionView(model).withheldAttributes.isEmpty)
            }
        }
    }

    @Test func anAdminAcceptsTheChangeAndTheNextRunClearsTheField() async throws {
        try await withFixture { fixture in
            let connection = try await fixture.connection(.timeTracking)
            #expect(try await fixture.sync(connection, full: true).status == .succeeded)
            let people = try await fixture.links(connection).count
            try HubApp.mount(fixture.app, runner: fixture.runner())
            let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "t", on: fixture.app.db).token
            let api = ManagementAPITests()
            let path = "\(APIPath.connectionWithheldAccept(connection))"
            // nothing withheld yet: naming an attribute is a 422 naming the field
            let early = try await api.call(fixture.app, .POST, path, token: token, ["attributes": ["department"]])
            #expect(early.status == .unprocessableEntity)
            #expect(early.error?["field"] as? String == "attributes")

            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["drop_attribute": "department"]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await fixture.sync(connection, full: true).counts.isEmpty)
            let shown = try await api.call(fixture.app, .GET, "\(APIPath.connection(connection))", token: token)
            let withheld = try #require(shown.json["withheld_attributes"] as? [[String: Any]])
            #expect(withheld.map { $0["attribute"] as? String } == ["department"])

            // when an admin accepts it
            let accepted = try await api.call(fixture.app, .POST, path, token: token, ["attributes": ["department"]])
            #expect(accepted.status == .ok)
            #expect((accepted.json["withheld_attributes"] as? [Any])?.isEmpty == true)
            #expect(try await AuditEventModel.query(on: fixture.app.db).filter(\.$action == "connection.withheld_accepted").count() == 1)

            // then the next run treats the department as empty: everyone's is removed, nobody else changes
            fixture.clock.advance(by: 60)
            let report = try await fixture.sync(connection, full: true)
            #expect(report.counts == ["update": people])
            let links = try await fixture.links(connection)
            #expect(links.values.allSatisfy { !($0.fields ?? "").contains("\"department\"") })
        }
    }
}
