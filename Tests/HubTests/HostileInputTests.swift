import AsyncHTTPClient
import Fluent
import SyncEngine
import Foundation
@testable import PersonioAPI
@testable import Hub
import NIOCore
import TestSupport
import Testing
import Vapor
import VaporTesting

/// Bodies meant to crash or confuse the hub: JSON nested 10,000 deep into every route that takes a
/// body, and valid JSON whose values do not fit (a number beyond Int64, an id that is no UUID).
@Suite("Hostile input to the hub")
struct HubHostileInputTests {
    static let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)

    func withHub(_ database: HubConfiguration.Database = .sqlite(path: ":memory:"), _ body: (Application, String) async throws -> Void) async throws {
        try await TestDatabases.withDatabase(database) { app in
            // no Personio: a client that would find nothing listening on loopback's discard port
            let clients = PersonioClients { _, credentials in
                PersonioClient(configuration: PersonioConfiguration(baseURL: "http://127.0.0.1:9/v1", credentials: credentials),
                               transport: AsyncHTTPClientTransport(client: HTTPClient.shared))
            }
            try HubApp.mount(app, runner: SyncRunner(database: app.db, vault: try Vault(masterKey: Data(count: 32)), clients: clients,
                                                     now: { Date() }, scim: NoSCIMTransport()), adminToken: "admin-token-for-tests")
            let workspace = WorkspaceModel(name: "Acme", timeZone: "Europe/Berlin")
            try await workspace.save(on: app.db)
            let token = try await APITokens.create(workspaceID: try workspace.requireID(), name: "t", on: app.db).token
            try await body(app, token)
        }
    }

    @Test func deepJSONIntoEveryRouteThatTakesABodyIsA4xx() async throws {
        try await withHub { app, token in
            let routes = app.routes.all.filter { [.POST, .PUT, .PATCH].contains($0.method) }
            #expect(routes.count > 20)
            for route in routes {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter = component { return UUID().uuidString }
                    return component.description
                }.joined(separator: "/")
                for bearer in [token, "admin-token-for-tests"] {
                    var headers = HTTPHeaders()
                    headers.bearerAuthorization = BearerAuthorization(token: bearer)
                    headers.contentType = .json
                    let response = try await app.testing().sendRequest(route.method, path, headers: headers, body: ByteBuffer(string: Self.deep))
                    // dashboard pages send a visitor without a session to the sign-in page
                    let expected: Range<UInt> = path.hasPrefix("/api/") ? 400..<500 : 303..<500
                    #expect(expected.contains(response.status.code), "\(route.method) \(path): \(response.status)")
                }
            }
            // and the hub still answers
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            #expect(try await app.testing().sendRequest(.GET, "\(APIPath.ownWorkspace)", headers: headers).status == .ok)
        }
    }

    @Test func valuesThatDoNotFitNameTheirField() async throws {
        try await withHub { app, token in
            let api = ManagementAPITests()
            let huge = try await api.raw(app, .POST, "\(APIPath.connections)", token: token,
                                         #"{"source_id":"\#(UUID().uuidString)","preset":"survey","seat_limit":92233720368547758070}"#)
            #expect(huge.status == .badRequest, "\(huge.json)")
            #expect(huge.error?["field"] as? String == "seat_limit", "\(huge.json)")
            #expect((huge.error?["message"] as? String)?.contains("seat_limit") == true)
            let notUUID = try await api.raw(app, .POST, "\(APIPath.connections)", token: token, #"{"source_id":"not-a-uuid","preset":"survey"}"#)
            #expect(notUUID.status == .badRequest)
            #expect(notUUID.error?["field"] as? String == "source_id")
            let broken = try await api.raw(app, .POST, "\(APIPath.connections)", token: token, #"{"source_id":"#)
            #expect(broken.error?["message"] as? String == "the body is not valid JSON")
        }
    }

    /// A source (on nothing) and a survey feed connection in the hub's one workspace.
    func sourceAndConnection(_ app: Application) async throws -> (SourceModel, ConnectionModel) {
        let workspace = try #require(try await WorkspaceModel.query(on: app.db).first()?.requireID())
        let source = SourceModel(workspaceID: workspace, name: "S", baseURL: "http://127.0.0.1:9/v1", clientID: "c", sealedClientSecret: "x")
        try await source.create(on: app.db)
        let connection = ConnectionModel(workspaceID: workspace, sourceID: try source.requireID(), name: "C", preset: "survey",
                                         targetKind: .feed, targetConfig: "{}", rules: try StoredJSON.text(Preset.survey.rules()),
                                         incrementalInterval: 60, fullInterval: 3600)
        try await connection.create(on: app.db)
        return (source, connection)
    }

    @Test func queryParametersAndIdsAtInt64ExtremesAreNamedNeverA500() async throws {
        try await withHub { app, token in
            let api = ManagementAPITests()
            let id = try await sourceAndConnection(app).1.requireID()
            for (path, field) in [("\(APIPath.connectionPeople(id))?limit=9223372036854775807", "limit"),
                                  ("\(APIPath.connectionPeople(id))?cursor=9223372036854775808", "cursor"),
                                  ("\(APIPath.connectionPeople(id))?cursor=-9223372036854775808", "cursor"),
                                  ("\(APIPath.handoffs)?cursor=9223372036854775807", "cursor"), ("\(APIPath.absences)?limit=-9223372036854775808",
                                                                                                 "limit"),
                                  ("\(APIPath.connectionPerson(id, "9223372036854775808"))", "personioId")] {
                let reply = try await api.call(app, .GET, path, token: token)
                // the hub answers every unreadable or out-of-range parameter with 422 naming it (its convention)
                #expect(reply.status == .unprocessableEntity, "\(path): \(reply.status)")
                #expect(reply.error?["field"] as? String == field, "\(path): \(reply.json)")
            }
            #expect(try await api.call(app, .GET, "\(APIPath.connectionPeople(id))?cursor=9223372036854775807", token: token).status == .ok)
        }
    }

    /// Every write route of the API, with the workspace's real source and connection in its path: a field
    /// it does not take is a 422 naming that field, never ignored (also by actions that take no body).
    @Test(arguments: TestDatabases.all)
    func everyWriteRouteRefusesAFieldItDoesNotTake(_ database: HubConfiguration.Database) async throws {
        try await withHub(database) { app, token in
            let (source, connection) = try await sourceAndConnection(app)
            let workspace = try #require(try await WorkspaceModel.query(on: app.db).first()?.requireID())
            let routes = app.routes.all.filter { [.POST, .PUT, .PATCH].contains($0.method) && $0.path.first?.description == "api" }
            #expect(routes.count >= 22)
            for route in routes {
                let path = "/" + route.path.map { component -> String in
                    guard case .parameter(let name) = component else { return component.description }
                    switch name {
                    case "source": return try! source.requireID().uuidString
                    case "connection": return try! connection.requireID().uuidString
                    case "workspace": return workspace.uuidString
                    case "delivery": return "1"
                    default: return "x-" + UUID().uuidString
                    }
                }.joined(separator: "/")
                let bearer = path.hasPrefix("\(APIPath.workspaces)") ? "admin-token-for-tests" : token
                let reply = try await ManagementAPITests().raw(app, route.method, path, token: bearer, #"{"unexpected_field":1}"#)
                #expect(reply.status == .unprocessableEntity, "\(route.method) \(path): \(reply.status) \(reply.json)")
                #expect(reply.error?["field"] as? String == "unexpected_field", "\(route.method) \(path): \(reply.json)")
            }
        }
    }

    @Test func anUnknownOrUnsupportedFieldIsA422NamingItNeverIgnored() async throws {
        try await withHub { app, token in
            let api = ManagementAPITests()
            let (source, connection) = try await sourceAndConnection(app)
            // a field the request does not take (a mapping sent here once answered 200 and changed nothing)
            let unknown = try await api.raw(app, .PATCH, "\(APIPath.connection(try connection.requireID()))", token: token,
                                            #"{"name":"Renamed","colour":"red"}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.error?["field"] as? String == "colour")
            #expect((unknown.error?["message"] as? String)?.contains("it takes") == true)
            #expect((unknown.error?["message"] as? String)?.contains("mapping") == true, "the mapping is among what it takes")
            // a mapping in the wrong shape is named, and the rest of the request is not applied either
            let mapping = try await api.raw(app, .PATCH, "\(APIPath.connection(try connection.requireID()))", token: token,
                                            #"{"name":"Renamed","mapping":{"fields":[]}}"#)
            #expect(mapping.status == .unprocessableEntity)
            #expect(mapping.error?["field"] as? String == "mapping")
            #expect((mapping.error?["message"] as? String)?.contains("a list of fields") == true)
            #expect(try await ConnectionModel.find(connection.id, on: app.db)?.name == "C", "nothing was changed")
            // nested objects are checked too, and a known body still works
            let nested = try await api.raw(app, .POST, "\(APIPath.connections)", token: token,
                                           #"{"source_id":"\#(try source.requireID())","preset":"survey","target":"scim","scim":{"base_url":"http://x.example","tokn":"t"}}"#)
            #expect(nested.status == .unprocessableEntity)
            #expect(nested.error?["field"] as? String == "scim.tokn")
            let renamed = try await api.raw(app, .PATCH, "\(APIPath.connection(try connection.requireID()))", token: token, #"{"name":"Renamed"}"#)
            #expect(renamed.status == .ok)
            let run = try await api.raw(app, .POST, "\(APIPath.connectionRuns(try connection.requireID()))", token: token,
                                        #"{"dry_run":true,"fast":true}"#)
            #expect(run.status == .unprocessableEntity && run.error?["field"] as? String == "fast")
        }
    }
}
