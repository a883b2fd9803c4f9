import Fluent
import Foundation
@testable import Hub
@testable import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Managing sources, connections and held batches", .serialized)
struct ManagementAPITests {
    struct Reply: @unchecked Sendable {
        var status: HTTPStatus
        var json: [String: Any]
        var error: [String: Any]? { json["error"] as? [String: Any] }
    }

    func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, _ body: [String: Any]? = nil) async throws -> Reply {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var buffer: ByteBuffer?
        if let body {
            headers.contentType = .json
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return Reply(status: response.status, json: json)
    }

    /// A request with a body sent exactly as written.
    func raw(_ app: Application, _ method: HTTPMethod, _ path: String, token: String, _ body: String) async throws -> Reply {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        headers.contentType = .json
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: ByteBuffer(string: body))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return Reply(status: response.status, json: json)
    }

    /// A sandbox company of `employees`, a hub on `database` with the fixture's source, and a workspace token.
    func withAPI(_ database: HubConfiguration.Database = .sqlite(path: ":memory:"), employees: Int = 40, seed: UInt64 = 9,
                 _ body: (SyncFixture, String) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: employees, seed: seed, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                try HubApp.mount(app, runner: fixture.runner())
                let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "t", on: app.db).token
                try await body(fixture, token)
            }
        }
    }

    @Test func aSourceIsStoredOnlyWhenPersonioAcceptsItsCredentials() async throws {
        try await withAPI { fixture, token in
            let app = fixture.app
            let base = fixture.sandbox.baseURL + "/v1"
            // wrong secret: 422 naming the field, nothing stored, the secret never echoed
            let wrong = try await call(app, .POST, "\(APIPath.sources)", token: token,
                                       ["client_id": fixture.sandbox.clientId, "client_secret": "not-the-secret", "base_url": base])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.error?["field"] as? String == "client_secret")
            #expect(wrong.error?["code"] as? String == "credentials_rejected")
            #expect(!"\(wrong.json)".contains("not-the-secret"))
            #expect(try await SourceModel.query(on: app.db).count() == 1, "only the fixture's source")

            // missing fields and bad URLs are named
            let missing = try await call(app, .POST, "\(APIPath.sources)", token: token, ["client_secret": "x", "base_url": base])
            #expect(missing.error?["field"] as? String == "client_id")
            let badURL = try await call(app, .POST, "\(APIPath.sources)", token: token, ["client_id": "a", "client_secret": "b", "base_url": "ftp:x"])
            #expect(badURL.error?["field"] as? String == "base_url")
            let badFile = try await call(app, .POST, "\(APIPath.sources)", token: token, ["credentials_file": "hello world", "base_url": base])
            #expect(badFile.status == .unprocessableEntity)
            #expect(badFile.error?["field"] as? String == "credentials_file")
            #expect((badFile.error?["message"] as? String)?.contains("client_id") == true)

            // the downloaded credentials file (CSV) works and the diagnosis lists the attributes
            let file = "client_id,client_secret\n\(fixture.sandbox.clientId),\(fixture.sandbox.clientSecret)\n"
            let created = try await call(app, .POST, "\(APIPath.sources)", token: token,
                                         ["name": "Personio", "credentials_file": file, "base_url": base])
            #expect(created.status == .created)
            let diagnosis = created.json["diagnosis"] as? [String: Any]
            #expect(diagnosis?["connected"] as? Bool == true)
            let attributes = diagnosis?["attributes"] as? [[String: Any]] ?? []
            #expect(attributes.contains { $0["key"] as? String == "email" && $0["readable"] as? Bool == true })
            #expect(!"\(created.json)".contains(fixture.sandbox.clientSecret))
            let id = try #require((created.json["source"] as? [String: Any])?["id"] as? String)
            let stored = try #require(try await SourceModel.find(UUID(uuidString: id), on: app.db))
            #expect(!stored.sealedClientSecret.contains(fixture.sandbox.clientSecret))
            #expect(try fixture.vault.open(stored.sealedClientSecret, context: SyncRunner.secretContext(stored)) == fixture.sandbox.clientSecret)
        }
    }

    @Test(arguments: TestDatabases.all)
    func aSourceIsRenamedAndGetsItsPersonioAddress(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let path = "\(APIPath.source(fixture.sourceID))"
            for (body, field) in [(["web_url": "ftp://acme"], "web_url"), (["web_url": "acme"], "web_url"), (["name": " "], "name"),
                                  (["colour": "red"], "colour")] as [([String: Any], String)] {
                let reply = try await call(fixture.app, .PATCH, path, token: token, body)
                #expect(reply.status == .unprocessableEntity && reply.error?["field"] as? String == field, "\(body): \(reply.json)")
            }
            let set = try await call(fixture.app, .PATCH, path, token: token, ["name": "Acme Personio", "web_url": "https://acme.app.personio.com/"])
            #expect(set.status == .ok)
            #expect(set.json["web_url"] as? String == "https://acme.app.personio.com" && set.json["name"] as? String == "Acme Personio")
            let cleared = try await call(fixture.app, .PATCH, path, token: token, ["web_url": NSNull()])
            #expect(cleared.json["web_url"] == nil && cleared.json["name"] as? String == "Acme Personio")
            let audit = try await AuditEventModel.query(on: fixture.app.db).filter(\.$action == "source.updated").all().map(\.detail)
            #expect(Set(audit) == ["Acme Personio: renamed from Sandbox, Personio address https://acme.app.personio.com",
                                   "Acme Personio: no Personio address"])
        }
    }

    /// Recruitee: "change the key" — a new key replaces the old one only once Personio accepts it.
    @Test(arguments: TestDatabases.all)
    func theKeyIsChangedOnlyToOnePersonioAccepts(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let app = fixture.app
            let path = "\(APIPath.sourceCredentials(fixture.sourceID))"
            let wrong = try await call(app, .PUT, path, token: token, ["client_id": fixture.sandbox.clientId, "client_secret": "not-it"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.error?["field"] as? String == "client_secret")
            let unchanged = try #require(try await SourceModel.find(fixture.sourceID, on: app.db))
            #expect(try fixture.vault.open(unchanged.sealedClientSecret,
                                           context: SyncRunner.secretContext(unchanged)) == fixture.sandbox.clientSecret)

            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/credentials", ["client_id": "second-key", "client_secret": "second-secret-0001"])
                .status == 201)
            let changed = try await call(app, .PUT, path, token: token, ["client_id": "second-key", "client_secret": "second-secret-0001"])
            #expect(changed.status == .ok, "\(changed.json)")
            #expect(!"\(changed.json)".contains("second-secret-0001"))
            let stored = try #require(try await SourceModel.find(fixture.sourceID, on: app.db))
            #expect(stored.clientID == "second-key")
            #expect(try fixture.vault.open(stored.sealedClientSecret, context: SyncRunner.secretContext(stored)) == "second-secret-0001")
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "source.credentials_rotated").all().map(\.detail)
            #expect(audit == ["client id second-key"])
            // the old key may be removed in Personio: runs use the new one
            #expect(try await fixture.sandbox.admin(.DELETE, "/sandbox/credentials/\(fixture.sandbox.clientId)").status == 204)
            let connection = try await fixture.connection(.timeTracking)
            #expect(try await fixture.sync(connection, full: true).status == .succeeded)
        }
    }

    @Test func connectionsAreCreatedFromPresetsValidatedAndPurgedWithTheirPeople() async throws {
        try await withAPI { fixture, token in
            let app = fixture.app
            for (body, field) in [
                (["source_id": fixture.sourceID.uuidString, "preset": "payroll"], "preset"),
                (["source_id": fixture.sourceID.uuidString, "preset": "survey", "target": "ldap"], "target"),
                (["source_id": fixture.sourceID.uuidString, "preset": "survey", "target": "scim"], "scim"),
                (["source_id": fixture.sourceID.uuidString, "preset": "survey", "scim": ["token": "t"]], "scim"),
                (["source_id": UUID().uuidString, "preset": "survey"], "source_id"),
                (["source_id": fixture.sourceID.uuidString, "preset": "survey", "incremental_interval": 5], "incremental_interval"),
            ] as [([String: Any], String)] {
                let reply = try await call(app, .POST, "\(APIPath.connections)", token: token, body)
                #expect(reply.status == .unprocessableEntity, "\(body)")
                #expect(reply.error?["field"] as? String == field)
            }
            let wrongType = try await call(app, .POST, "\(APIPath.connections)", token: token, ["source_id": 12, "preset": "survey"])
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.error?["field"] as? String == "source_id")

            let created = try await call(app, .POST, "\(APIPath.connections)", token: token,
                                         ["source_id": fixture.sourceID.uuidString, "preset": "survey"])
            #expect(created.status == .created)
            #expect(created.json["incremental_interval"] as? Int == 43_200, "the survey preset syncs every 12 hours")
            let id = try #require(created.json["id"] as? String)
            let paused = try await call(app, .PATCH, "\(APIPath.connection(id))", token: token, ["paused": true])
            #expect(paused.json["paused"] as? Bool == true)
            #expect(paused.json["seat_limit"] == nil)

            // a seat limit is set, kept when other fields change, and removed with null
            let limited = try await call(app, .PATCH, "\(APIPath.connection(id))", token: token, ["seat_limit": 25])
            #expect(limited.json["seat_limit"] as? Int == 25)
            let renamed = try await call(app, .PATCH, "\(APIPath.connection(id))", token: token, ["name": "Pulse"])
            #expect(renamed.json["seat_limit"] as? Int == 25 && renamed.json["name"] as? String == "Pulse")
            let unlimited = try await call(app, .PATCH, "\(APIPath.connection(id))", token: token, ["seat_limit": NSNull()])
            #expect(unlimited.status == .ok)
            #expect(unlimited.json["seat_limit"] == nil)
            let zero = try await call(app, .PATCH, "\(APIPath.connection(id))", token: token, ["seat_limit": 0])
            #expect(zero.error?["field"] as? String == "seat_limit")
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "connection.updated").all().map(\.detail)
            #expect(Set(audit) == ["Employee surveys: paused", "Employee surveys: seat limit 25", "Pulse: renamed from Employee surveys",
                                   "Pulse: no seat limit"])

            let run = try await call(app, .POST, "\(APIPath.connectionRuns(id))", token: token, ["full": true])
            #expect(run.status == .created)
            #expect(((run.json["counts"] as? [String: Int])?["create"] ?? 0) > 0)
            let connectionID = try #require(UUID(uuidString: id))
            #expect(try await fixture.links(connectionID).count > 0)

            #expect(try await call(app, .DELETE, "\(APIPath.connection(id))", token: token).status == .noContent)
            #expect(try await fixture.links(connectionID).isEmpty)
            #expect(try await fixture.changes(connectionID).isEmpty)
            #expect(try await RunModel.query(on: app.db).filter(\.$connection.$id == connectionID).count() == 0)
        }
    }

    @Test func aPersonioNobodyAnswersAtIsTheURLsProblemNotTheSecrets() {
        func answer(_ error: PersonioError) -> ServiceError {
            SourceService.rejected(PersonioDiagnosis(credentialsValid: false, error: error, attributes: []))
        }
        for error in [PersonioError.unreachable(reason: "connection refused"), .malformedResponse(reason: "HTML"), .notFound(message: "")] {
            #expect(answer(error).field == "base_url" && answer(error).code == "personio_unreachable", "\(error)")
        }
        #expect(answer(.invalidCredentials(status: 401)).field == "client_secret")
        #expect(answer(.invalidCredentials(status: 401)).code == "credentials_rejected")
        #expect(answer(.unreachable(reason: "connection refused")).message.contains("connection refused"))
    }

    @Test(arguments: TestDatabases.all)
    func aSourceIsDeletedOnlyWithItsNameAndTakesItsConnectionsAndPeopleAlong(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let app = fixture.app
            let created = try await call(app, .POST, "\(APIPath.connections)", token: token,
                                         ["source_id": fixture.sourceID.uuidString, "preset": "survey"])
            let connection = try #require(UUID(uuidString: created.json["id"] as? String ?? ""))
            #expect(try await call(app, .POST, "\(APIPath.connectionRuns(connection))", token: token, ["full": true]).status == .created)
            #expect(try await fixture.links(connection).count > 0)
            let source = try #require(try await SourceModel.find(fixture.sourceID, on: app.db))
            let path = "\(APIPath.source(fixture.sourceID))"

            // no confirmation, or the wrong name: a 422 on `confirm` saying what would go, and nothing is deleted
            let bare = try await call(app, .DELETE, path, token: token)
            #expect(bare.status == .unprocessableEntity && bare.error?["field"] as? String == "confirm")
            #expect((bare.error?["message"] as? String)?.contains("its 1 connection and everything they stored about people") == true)
            #expect((bare.error?["message"] as? String)?.contains("confirm=\(source.name)") == true)
            let wrong = try await call(app, .DELETE, path + "?confirm=Personio%20(old)", token: token)
            #expect(wrong.status == .unprocessableEntity && wrong.error?["field"] as? String == "confirm")
            #expect(try await SourceModel.find(fixture.sourceID, on: app.db) != nil)
            #expect(try await fixture.links(connection).count > 0)

            // the name: gone, with its connection and what it stored about people, and audited
            let name = source.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? source.name
            #expect(try await call(app, .DELETE, path + "?confirm=\(name)", token: token).status == .noContent)
            #expect(try await SourceModel.find(fixture.sourceID, on: app.db) == nil)
            #expect(try await ConnectionModel.find(connection, on: app.db) == nil)
            #expect(try await fixture.links(connection).isEmpty)
            let audit = try #require(try await AuditEventModel.query(on: app.db).filter(\.$action == "source.deleted").first())
            #expect(audit.detail == "\(source.name) (1 connection)")
        }
    }

    @Test func aReleasedBatchIsCarriedOutByTheNextRunOnce() async throws {
        try await withAPI { fixture, token in
            let app = fixture.app
            let connection = try await fixture.connection(.timeTracking)
            _ = try await fixture.sync(connection)
            let active = try await fixture.links(connection).filter { $0.value.state == .active }.map(\.key).sorted()
            for id in active.prefix(12) {
                _ = try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(id)/terminate", ["termination_date": fixture.today(plus: -1)])
            }
            fixture.clock.advance(by: 60)
            #expect(try await fixture.sync(connection).status == .held)
            let held = try await call(app, .GET, "\(APIPath.connectionHeld(connection))", token: token)
            let batch = try #require((held.json["data"] as? [[String: Any]])?.first)
            #expect((batch["people"] as? [[String: Any]])?.count == 12)
            let batchID = try #require(batch["id"] as? String)

            let released = try await call(app, .POST, "\(APIPath.heldRelease(batchID))", token: token)
            #expect(released.json["status"] as? String == "released")
            #expect(try await call(app, .POST, "\(APIPath.heldRelease(batchID))", token: token).status == .conflict)

            fixture.clock.advance(by: 60)
            let run = try await fixture.sync(connection)
            #expect(run.status == .succeeded)
            #expect(run.counts["archive"] == 12)
            #expect(try await HeldBatchModel.find(UUID(uuidString: batchID), on: app.db)?.status == .applied)
        }
    }
}
