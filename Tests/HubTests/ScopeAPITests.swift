import Fluent
import Foundation
@testable import Hub
@testable import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// The scope editor's API (Back: the admin controls which data is sent): everyone, or rules on an
/// attribute's values; counted live before saving; people who leave the scope are removed with the
/// reason; every mistake a 422 naming its place.
@Suite("Editing a connection's scope", .serialized)
struct ScopeAPITests {
    let api = ManagementAPITests()

    @Test("every mistake in a scope is a 422 naming its place", arguments: TestDatabases.all)
    func mistakesAreNamed(_ database: HubConfiguration.Database) async throws {
        try await MappingAPITests().withAPI(database) { fixture, token in
            let connection = try await fixture.connection(.timeTracking)
            for (scope, field) in [
                (["attribute": "department"] as Any, "scope"),
                ([["attribute": "department"]], "scope[0]"),
                ([["attribute": "department", "is": ["A"], "is_not": ["B"]]], "scope[0]"),
                ([["attribute": "", "is": ["A"]]], "scope[0].attribute"),
                ([["attribute": "Shoe size", "is": ["A"]]], "scope[0].attribute"),
                ([["attribute": "department", "is": []]], "scope[0].is"),
                ([["attribute": "department", "is_not": [1]]], "scope[0].is_not[0]"),
                ([["attribute": "department", "is": ["A"], "colour": "red"]], "scope[0].colour"),
            ] as [(Any, String)] {
                let reply = try await api.call(fixture.app, .PATCH, "\(APIPath.connection(connection))", token: token, ["scope": scope])
                #expect(reply.status == .unprocessableEntity, "\(scope)")
                #expect(reply.error?["field"] as? String == field, "\(scope): \(reply.json)")
            }
            let model = try #require(try await ConnectionModel.find(connection, on: fixture.app.db))
            #expect(try model.connectionRules().scope == .everyone)
        }
    }

    @Test("people held by the brake after a scope change leave with the next run once released, though nothing changed in Personio",
          arguments: TestDatabases.all)
    func releasedAfterAScopeChange(_ database: HubConfiguration.Database) async throws {
        try await MappingAPITests().withAPI(database) { fixture, token in
            let app = fixture.app
            let connection = try await fixture.connection(.timeTracking)
            _ = try await fixture.sync(connection, full: true)
            #expect(try await api.call(app, .PATCH, "\(APIPath.connection(connection))", token: token,
                                       ["scope": [["attribute": "department", "is": ["No such department"]]]]).status == .ok)
            fixture.clock.advance(by: 60)
            let held = try await fixture.sync(connection)
            #expect(held.status == .held && held.full)
            let batch = try #require(try await HeldBatchModel.query(on: app.db).filter(\.$connection.$id == connection).first())
            #expect(try await api.call(app, .POST, "\(APIPath.heldRelease(try batch.requireID()))", token: token).status == .ok)
            fixture.clock.advance(by: 60)
            let released = try await fixture.sync(connection)
            #expect(released.full, "the next run reads everyone: the held people did not change in Personio")
            #expect(released.counts["archive"] == batch.removals, "\(released.counts)")
        }
    }

    @Test("a scope is counted live, saved, audited, and people who leave it are removed with the reason", arguments: TestDatabases.all)
    func restrictToOneDepartment(_ database: HubConfiguration.Database) async throws {
        try await MappingAPITests().withAPI(database) { fixture, token in
            let app = fixture.app
            let connection = try await fixture.connection(.timeTracking, brake: false)
            let path = "\(APIPath.connection(connection))"
            _ = try await fixture.sync(connection, full: true)
            let before = try await fixture.links(connection)
            let departments = try before.values.compactMap { try StoredJSON.fields($0.fields ?? "{}")["department"] }
            let department = try #require(departments.first)
            let members = departments.filter { $0 == department }.count
            #expect(members < before.count)

            // counted before saving, by the attribute's key or its label
            let scope: [[String: Any]] = [["attribute": "Department", "is": [department]]]
            let count = try await api.call(app, .POST, path + "/scope/count", token: token, ["scope": scope])
            #expect(count.status == .ok, "\(count.json)")
            #expect(count.json["listed"] as? Int == 30)
            let inScope = try #require(count.json["in_scope"] as? Int)
            #expect(inScope >= members && inScope < 30)
            let left = count.json["left_out"] as? [[String: Any]] ?? []
            #expect(left.allSatisfy { ($0["reason"] as? String)?.hasSuffix("not one of \(department)") == true }, "\(left)")
            #expect(try await fixture.sync(connection).counts.isEmpty, "counting saved nothing")

            let saved = try await api.call(app, .PATCH, path, token: token, ["scope": scope])
            #expect(saved.status == .ok, "\(saved.json)")
            let shown = saved.json["scope"] as? [[String: Any]] ?? []
            #expect(shown.first?["attribute"] as? String == "department" && shown.first?["is"] as? [String] == [department])
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "connection.updated").all().map(\.detail)
            #expect(audit == ["Time tracking: scope: department is \(department)"])

            // the next run reads everyone and archives those outside, saying why
            fixture.clock.advance(by: 60)
            let run = try await fixture.sync(connection)
            #expect(run.full)
            let others = before.values.filter { (try? StoredJSON.fields($0.fields ?? "{}")["department"]) != department && $0.state == .active }
            #expect(run.counts["archive"] == others.count, "\(run.counts)")
            let someone = try #require(others.first)
            let operation = try #require(try await RunOperationModel.query(on: app.db).filter(\.$run.$id == run.runID)
                .filter(\.$personioID == someone.personioID).first())
            #expect(operation.kind == "archive" && operation.reason.contains("out of scope: department is"), "\(operation.reason)")

            // everyone again: they come back
            #expect(try await api.call(app, .PATCH, path, token: token, ["scope": []]).status == .ok)
            fixture.clock.advance(by: 60)
            let back = try await fixture.sync(connection)
            #expect(back.counts["restore", default: 0] + back.counts["activate", default: 0] == others.count, "\(back.counts)")
        }
    }
}
