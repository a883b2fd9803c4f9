import Fluent
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("REST API", .serialized)
struct APITests {
    struct Setup {
        let fixture: SyncFixture
        let connectionA: UUID
        let connectionB: UUID
        let tokenA: String
        let tokenB: String
        let runA: UUID
    }

    func withSetup(_ database: HubConfiguration.Database, _ body: (Setup) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 12, seed: 5, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                try HubApp.mount(app, runner: fixture.runner())
                let connectionA = try await fixture.connection(.timeTracking)
                let runA = try await fixture.sync(connectionA).runID
                // workspace B with its own source and connection
                let workspaceB = WorkspaceModel(name: "Other", timeZone: "Europe/Berlin")
                try await workspaceB.save(on: app.db)
                let sourceB = SourceModel(workspaceID: try workspaceB.requireID(), name: "B", baseURL: sandbox.baseURL + "/v1",
                                          clientID: "b", sealedClientSecret: "v1:x")
                try await sourceB.save(on: app.db)
                let connectionB = ConnectionModel(workspaceID: try workspaceB.requireID(), sourceID: try sourceB.requireID(), name: "B",
                                                  preset: "survey", targetKind: .feed, targetConfig: "{}",
                                                  rules: try StoredJSON.text(Preset.survey.rules()), incrementalInterval: 60,
                                                  fullInterval: 43_200)
                try await connectionB.save(on: app.db)
                let tokenA = try await APITokens.create(workspaceID: fixture.workspaceID, name: "A", on: app.db).token
                let tokenB = try await APITokens.create(workspaceID: try workspaceB.requireID(), name: "B", on: app.db).token
                try await body(Setup(fixture: fixture, connectionA: connectionA, connectionB: try connectionB.requireID(),
                                     tokenA: tokenA, tokenB: tokenB, runA: runA))
            }
        }
    }

    func get(_ app: Application, _ path: String, token: String?) async throws -> (status: HTTPStatus, json: [String: Any]) {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        let response = try await app.testing().sendRequest(.GET, path, headers: headers)
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    @Test(arguments: TestDatabases.all)
    func aTokenOfOneWorkspaceCannotReadOrChangeAnotherWorkspace(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let app = setup.fixture.app
            // A sees its connection, not B's
            let listA = try await get(app, "\(APIPath.connections)", token: setup.tokenA)
            #expect(listA.status == .ok)
            #expect((listA.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [setup.connectionA.uuidString])

            // B gets 404 for everything of A, exactly as for ids that do not exist
            for path in ["\(APIPath.connection(setup.connectionA))", "\(APIPath.connectionPeople(setup.connectionA))",
                         "\(APIPath.connectionRuns(setup.connectionA))", "\(APIPath.run(setup.runA))",
                         "\(APIPath.connectionPerson(setup.connectionA, "10001"))"] {
                let reply = try await get(app, path, token: setup.tokenB)
                #expect(reply.status == .notFound, "\(path)")
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
            let missing = try await get(app, "\(APIPath.connection(UUID()))", token: setup.tokenB)
            #expect(missing.status == .notFound)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: setup.tokenB)
            headers.contentType = .json
            let runs = try await RunModel.query(on: app.db).count()
            let start = try await app.testing().sendRequest(.POST, "\(APIPath.connectionRuns(setup.connectionA))", headers: headers,
                                                             body: ByteBuffer(string: "{}"))
            #expect(start.status == .notFound)
            #expect(try await RunModel.query(on: app.db).count() == runs, "no run was started")

            // no token, or a made-up one: 401 with the JSON error
            for token in [nil, "rc_madeup"] as [String?] {
                let reply = try await get(app, "\(APIPath.connections)", token: token)
                #expect(reply.status == .unauthorized)
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func theFeedIsReadPageByPageWithoutMissingOrRepeatingAChange(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let app = setup.fixture.app
            let path = "\(APIPath.connectionPeople(setup.connectionA))"
            var cursor = "0"
            var seen: [Int] = []
            var pages = 0
            while true {
                let page = try await get(app, "\(path)?cursor=\(cursor)&limit=3", token: setup.tokenA)
                #expect(page.status == .ok)
                seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }
                cursor = page.json["next_cursor"] as? String ?? cursor
                pages += 1
                if page.json["has_more"] as? Bool != true || pages > 50 { break }
            }
            let total = try await setup.fixture.changes(setup.connectionA).count
            #expect(seen.count == total)
            #expect(Set(seen).count == total)
            #expect(seen == seen.sorted())

            // a later change appears after the stored cursor, and only it
            let someone = try #require(try await setup.fixture.links(setup.connectionA).keys.sorted().first)
            #expect(try await setup.fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(someone)", ["last_name": "Neu"]).status == 200)
            setup.fixture.clock.advance(by: 60)
            _ = try await setup.fixture.sync(setup.connectionA)
            let next = try await get(app, "\(path)?cursor=\(cursor)", token: setup.tokenA)
            let data = next.json["data"] as? [[String: Any]] ?? []
            #expect(data.count == 1)
            #expect(data.first?["personio_id"] as? Int == someone)
            #expect(data.first?["changed_fields"] as? [String] == ["last_name"])
            #expect((data.first?["fields"] as? [String: String])?["last_name"] == "Neu")
            let person = try await get(app, "\(path)/\(someone)", token: setup.tokenA)
            #expect((person.json["fields"] as? [String: String])?["last_name"] == "Neu")
            #expect(person.json["state"] as? String == "active")
        }
    }

    @Test(arguments: TestDatabases.all)
    func badFeedParametersAreNamed(_ database: HubConfiguration.Database) async throws {
        try await withSetup(database) { setup in
            let path = "\(APIPath.connectionPeople(setup.connectionA))"
            for (query, field) in [("cursor=abc", "cursor"), ("cursor=-1", "cursor"), ("limit=0", "limit"), ("limit=5000", "limit")] {
                let reply = try await get(setup.fixture.app, "\(path)?\(query)", token: setup.tokenA)
                #expect(reply.status == .unprocessableEntity, "\(query)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == field)
            }
            let person = try await get(setup.fixture.app, "\(path)/not-a-number", token: setup.tokenA)
            #expect(person.status == .unprocessableEntity)
        }
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test func runsRequestsAndLagAreExposedForPrometheus() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 6, seed: 2, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                var runner = fixture.runner()
                runner.metrics = HubMetrics()
                try HubApp.mount(app, runner: runner)
                let connection = try await fixture.connection(.timeTracking)
                let report = try await runner.run(connectionID: connection)
                clock.advance(by: 90)
                let response = try await app.testing().sendRequest(.GET, "/metrics")
                let text = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
                #expect(text.contains(#"rollcall_runs_total{status="succeeded",dry_run="false"} 1"#))
                #expect(text.contains("rollcall_personio_requests_total 2"))
                #expect(text.contains(#"rollcall_operations_total{kind="create"} \#(report.counts["create"] ?? -1)"#))
                #expect(text.contains("rollcall_sync_lag_seconds 90"))
                #expect(!text.contains(connection.uuidString))
            }
        }
    }
}
