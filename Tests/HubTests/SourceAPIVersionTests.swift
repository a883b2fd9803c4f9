import Fluent
import Foundation
@testable import Hub
@testable import PersonioAPI
import SyncEngine
import Testing
import TestSupport
import Vapor

/// A source reads through Personio v1, v2 or auto: a setting in the API and the dashboard.
@Suite("A source's Personio API: v1, v2 or auto")
struct SourceAPIVersionTests {
    let api = ManagementAPITests()

    @Test func aV2SourceIsCheckedForItsScopesAndSyncsThroughV2() async throws {
        try await api.withAPI(employees: 30) { fixture, token in
            let app = fixture.app
            let base = fixture.sandbox.baseURL + "/v1"
            let created = try await api.call(app, .POST, "\(APIPath.sources)", token: token, [
                "name": "Personio v2", "client_id": fixture.sandbox.clientId, "client_secret": fixture.sandbox.clientSecret,
                "base_url": base, "api_version": "v2"])
            #expect(created.status == .created, "\(created.json)")
            let source = try #require(created.json["source"] as? [String: Any])
            #expect(source["api_version"] as? String == "v2")
            let scopes = try #require((created.json["diagnosis"] as? [String: Any])?["v2_scopes"] as? [[String: Any]])
            #expect(scopes.count == 5 && scopes.allSatisfy { $0["granted"] as? Bool == true })
            let sourceID = try #require(source["id"] as? String)
            let connection = try await api.call(app, .POST, "\(APIPath.connections)", token: token, ["source_id": sourceID, "preset": "survey"])
            let id = try #require(connection.json["id"] as? String)
            let run = try await api.call(app, .POST, "\(APIPath.connectionRuns(id))", token: token, ["full": true])
            #expect(run.status == .created, "\(run.json)")
            #expect(((run.json["counts"] as? [String: Int])?["create"] ?? 0) > 0)
            // v2 needs one employments request per person: far more than v1's one page for 30 people
            #expect((run.json["personio_requests"] as? Int ?? 0) >= 30, "\(run.json)")
            // the fixture's own source, made before the choice existed, reads through v1
            let old = try await api.call(app, .GET, "\(APIPath.sources)", token: token)
            let listed = (old.json["data"] as? [[String: Any]]) ?? []
            #expect(listed.first { $0["id"] as? String == fixture.sourceID.uuidString }?["api_version"] as? String == "v1")
        }
    }

    @Test func theChoiceIsChangedNamedWhenWrongAndAudited() async throws {
        try await api.withAPI(employees: 10) { fixture, token in
            let app = fixture.app
            let path = "\(APIPath.source(fixture.sourceID.uuidString))"
            let wrong = try await api.call(app, .PATCH, path, token: token, ["api_version": "v3"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.error?["field"] as? String == "api_version")
            let changed = try await api.call(app, .PATCH, path, token: token, ["api_version": "auto"])
            #expect(changed.status == .ok, "\(changed.json)")
            #expect(changed.json["api_version"] as? String == "auto")
            let model = try #require(try await SourceModel.find(fixture.sourceID, on: app.db))
            #expect(model.personioAPI == .auto)
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "source.updated").all().map(\.detail)
            #expect(audit.contains { $0.contains("reads through Personio auto (was v1)") }, "\(audit)")
            let client = try await fixture.runner().environment.personioClient(for: model)
            #expect(client.configuration.apiVersion == .auto)
        }
    }
}
