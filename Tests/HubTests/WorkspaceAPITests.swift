import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Workspaces over the API with the admin token", .serialized)
struct WorkspaceAPITests {
    static let adminToken = "admin-token-for-tests-0123456789"

    func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, _ body: [String: Any]? = nil) async throws
        -> ManagementAPITests.Reply {
        try await ManagementAPITests().call(app, method, path, token: token, body)
    }

    func withHub(adminToken: String?, _ body: (Application, SyncRunner) async throws -> Void) async throws {
        try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
            let clients = PersonioClients { _, _ in fatalError("no Personio in these tests") }
            let runner = SyncRunner(database: app.db, vault: try Vault(masterKey: Data(count: 32)), clients: clients,
                                    now: { SyncRunnerTests.start }, scim: NoSCIMTransport())
            try HubApp.mount(app, runner: runner, adminToken: adminToken, defaultTimeZone: "Europe/Vienna")
            try await body(app, runner)
        }
    }

    @Test func withoutAnAdminTokenConfiguredTheRoutesAreOffAndSaySo() async throws {
        try await withHub(adminToken: nil) { app, _ in
            let reply = try await call(app, .POST, "\(APIPath.workspaces)", token: "anything-at-all-here-1234", ["name": "X"])
            #expect(reply.status == .forbidden)
            #expect(reply.error?["code"] as? String == "admin_api_disabled")
            #expect((reply.error?["message"] as? String)?.contains("ROLLCALL_ADMIN_TOKEN") == true)
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)
        }
    }

    @Test func theAdminCreatesAWorkspaceWhoseFirstTokenWorksAndDeletingItPurgesEverything() async throws {
        try await withHub(adminToken: Self.adminToken) { app, _ in
            // no token, a wrong one: 401
            #expect(try await call(app, .GET, "\(APIPath.workspaces)", token: nil).status == .unauthorized)
            #expect(try await call(app, .GET, "\(APIPath.workspaces)", token: "wrong-admin-token-0123456789").status == .unauthorized)

            // bad input names the field; nothing is stored
            let noName = try await call(app, .POST, "\(APIPath.workspaces)", token: Self.adminToken, ["time_zone": "Europe/Berlin"])
            #expect(noName.status == .unprocessableEntity)
            #expect(noName.error?["field"] as? String == "name")
            let badZone = try await call(app, .POST, "\(APIPath.workspaces)", token: Self.adminToken, ["name": "A", "time_zone": "Mars/Base"])
            #expect(badZone.error?["field"] as? String == "time_zone")
            let badType = try await call(app, .POST, "\(APIPath.workspaces)", token: Self.adminToken, ["name": 5])
            #expect(badType.status == .badRequest)
            #expect(badType.error?["field"] as? String == "name")
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)

            // created with the configured default time zone and a first token, shown once
            let created = try await call(app, .POST, "\(APIPath.workspaces)", token: Self.adminToken, ["name": "  Acme  "])
            #expect(created.status == .created)
            let workspace = try #require(created.json["workspace"] as? [String: Any])
            #expect(workspace["name"] as? String == "Acme")
            #expect(workspace["time_zone"] as? String == "Europe/Vienna")
            let id = try #require(workspace["id"] as? String)
            let token = try #require((created.json["token"] as? [String: Any])?["token"] as? String)
            #expect(token.hasPrefix("rc_"))
            let stored = try await APITokenModel.query(on: app.db).all()
            #expect(stored.count == 1 && stored[0].tokenHash != token && !stored[0].tokenHash.contains(token))

            // the workspace token reads its own workspace, but cannot manage workspaces
            let own = try await call(app, .GET, "\(APIPath.ownWorkspace)", token: token)
            #expect(own.json["id"] as? String == id)
            #expect(try await call(app, .GET, "\(APIPath.workspaces)", token: token).status == .unauthorized)

            // list, get, update, unknown ids
            let list = try await call(app, .GET, "\(APIPath.workspaces)", token: Self.adminToken)
            #expect((list.json["data"] as? [[String: Any]])?.count == 1)
            let renamed = try await call(app, .PATCH, "\(APIPath.workspace(id))", token: Self.adminToken, ["name": "Acme GmbH",
                                                                                                           "time_zone": "Europe/Berlin"])
            #expect(renamed.json["name"] as? String == "Acme GmbH")
            #expect(renamed.json["time_zone"] as? String == "Europe/Berlin")
            #expect(try await call(app, .GET, "\(APIPath.workspace(UUID()))", token: Self.adminToken).status == .notFound)
            #expect(try await call(app, .GET, "\(APIPath.workspace("not-a-uuid"))", token: Self.adminToken).status == .notFound)

            // a read-only token may read, not write
            let readOnly = try await call(app, .POST, "\(APIPath.workspaceTokens(id))", token: Self.adminToken, ["name": "reports",
                                                                                                                 "read_only": true])
            #expect(readOnly.status == .created)
            #expect(readOnly.json["scopes"] as? [String] == ["read"])
            let readToken = try #require(readOnly.json["token"] as? String)
            #expect(try await call(app, .GET, "\(APIPath.connections)", token: readToken).status == .ok)
            #expect(try await call(app, .POST, "\(APIPath.connections)", token: readToken, ["preset": "survey"]).status == .forbidden)

            // deleting purges the workspace's sources and tokens; its tokens stop working
            let workspaceID = try #require(UUID(uuidString: id))
            try await SourceModel(workspaceID: workspaceID, name: "P", baseURL: "http://127.0.0.1:1/v1", clientID: "c", sealedClientSecret: "v1:x")
                .save(on: app.db)
            #expect(try await call(app, .DELETE, "\(APIPath.workspace(id))", token: Self.adminToken).status == .noContent)
            #expect(try await SourceModel.query(on: app.db).count() == 0)
            #expect(try await APITokenModel.query(on: app.db).count() == 0)
            #expect(try await call(app, .GET, "\(APIPath.ownWorkspace)", token: token).status == .unauthorized)
        }
    }
}
