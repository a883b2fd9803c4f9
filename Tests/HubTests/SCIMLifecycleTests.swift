import Fluent
import Foundation
@testable import Hub
import Provisioning
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// The same lifecycle, through the hub, against each independently written SCIM 2.0 server the tests
/// run (`scim2-server` and django-scim2), every step asserted on the server's own data and on what
/// Rollcall sent it.
@Suite("One SCIM lifecycle against each independently written server", .serialized,
       .enabled(if: SCIMServerHarness.available, Comment(rawValue: SCIMServerHarness.skipReason)))
struct SCIMLifecycleTests {
    struct Setup {
        var fixture: SyncFixture
        var token: String
        var transport: CountingSCIMTransport
        var runner: SyncRunner

        func run(_ connection: UUID, full: Bool? = nil) async throws -> RunReport {
            try await runner.run(connectionID: connection, full: full)
        }

        /// The connections list as an admin sees it.
        func connectionsPage() async throws -> String {
            let users = DashboardUsers(database: fixture.app.db, now: fixture.clock.provider, bcryptCost: 4)
            if try await UserModel.query(on: fixture.app.db).count() == 0 {
                try await users.create(workspaceID: fixture.workspaceID, email: "admin@acme.example", name: "Admin",
                                       password: DashboardTests.password, role: .admin)
            }
            let admin = PageClient(fixture.app)
            _ = try await admin.signIn("admin@acme.example", DashboardTests.password)
            return try await admin.get(DashboardPath.connections).html
        }

        func connect(_ scim: SCIMServerHarness, preset: String, compatibility: [String: Any]? = nil) async throws -> UUID {
            var settings: [String: Any] = ["base_url": scim.baseURL, "token": scim.token]
            settings["compatibility"] = compatibility
            let created = try await WorkspaceAPITests().call(fixture.app, .POST, "\(APIPath.connections)", token: token, [
                "source_id": fixture.sourceID.uuidString, "preset": preset, "target": "scim", "scim": settings,
            ])
            guard created.status == .created, let id = UUID(uuidString: created.json["id"] as? String ?? "") else {
                throw HarnessError("creating the connection failed: \(created.status) \(created.json)")
            }
            _ = transport.take()
            return id
        }
    }

    func withSetup(_ kind: SCIMServerHarness.Kind, _ body: (Setup, SCIMServerHarness) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 3, seed: 7, clock: clock) { sandbox in
            try await withSCIMServer(kind) { scim in
                try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                    let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                    let transport = CountingSCIMTransport(AsyncHTTPClientSCIMTransport(client: scim.http))
                    var runner = fixture.runner()
                    runner.scimTransport = transport
                    try HubApp.mount(app, runner: runner, bcryptCost: 4)
                    let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "it", on: app.db).token
                    try await body(Setup(fixture: fixture, token: token, transport: transport, runner: runner), scim)
                }
            }
        }
    }

    /// The compatibility each server needs: django-scim2 announces PATCH but its stock adapter
    /// fails a replace of the whole user (proved in `djangoNeedsPutAndTheFailureSaysSo`).
    func compatibility(_ kind: SCIMServerHarness.Kind) -> [String: Any]? {
        kind == .djangoSCIM2 ? ["preset": "put_only"] : nil
    }

    @Test(arguments: SCIMServerHarness.Kind.allCases)
    func hiresChangesLeaversAndRehiresFollowIntoTheApp(_ kind: SCIMServerHarness.Kind) async throws {
        try await withSetup(kind) { setup, scim in
            let fixture = setup.fixture
            let update = kind == .djangoSCIM2 ? "PUT" : "PATCH"
            // a hire whose start date has passed, and their supervisor
            let boss = try await fixture.hire("Ada", "Boss", startingIn: -30)
            let hire = try await fixture.hire("Sam", "Scim", startingIn: -3)
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["supervisor_id": boss]).status == 200)
            let connection = try await setup.connect(scim, preset: "service-desk", compatibility: compatibility(kind))

            // the first run creates everyone, each once, with the core attributes the app keeps
            let first = try await setup.run(connection)
            #expect(first.status == .succeeded, "\(first.error ?? "")")
            let created = setup.transport.take().filter { $0.method == "POST" }
            #expect(created.allSatisfy { $0.status == 201 }, "\(created)")
            let links = try await fixture.links(connection)
            #expect(created.count == links.count && links.count >= 2)
            let users = try await scim.allUsers()
            #expect(users.count == links.count, "one user per person, nobody twice")
            let sam = try #require(try await scim.user(externalId: String(hire)))
            #expect(sam["id"] as? String == links[hire]?.targetID)
            #expect(sam["userName"] as? String == "sam.scim@acme.example")
            #expect((sam["name"] as? [String: Any])?["familyName"] as? String == "Scim")
            #expect((sam["emails"] as? [[String: Any]])?.first?["value"] as? String == "sam.scim@acme.example")
            #expect(sam["active"] as? Bool == true)
            // the supervisor as the enterprise manager at once (the supervisor's user is made first),
            // kept by the server that stores the enterprise extension (django-scim2 keeps only core attributes)
            let bossID = try #require(links[boss]?.targetID)
            let samCreated = try #require(created.first { $0.body?["externalId"] as? String == String(hire) })
            let enterprise = samCreated.body?[SCIMTarget.enterpriseSchema] as? [String: Any]
            if kind == .djangoSCIM2 {
                // django-scim2's /ResourceTypes lists no extension for users: none is sent, and the connection says so
                #expect(enterprise == nil && samCreated.body?["schemas"] as? [String] == [SCIMTarget.userSchema])
                let view = try await WorkspaceAPITests().call(fixture.app, .GET, "\(APIPath.connection(connection))", token: setup.token)
                #expect((view.json["scim"] as? [String: Any])?["omitted_attributes"] as? [String] == [SCIMTarget.enterpriseSchema])
            } else {
                #expect((enterprise?["manager"] as? [String: Any])?["value"] as? String == bossID)
                let manager = (sam[SCIMTarget.enterpriseSchema] as? [String: Any])?["manager"] as? [String: Any]
                #expect(manager?["value"] as? String == bossID)
            }

            // a repeated run with nothing changed asks the app nothing
            fixture.clock.advance(by: 60)
            let quiet = try await setup.run(connection)
            #expect(quiet.status == .succeeded && quiet.counts.isEmpty)
            #expect(setup.transport.take().isEmpty)

            // a rename: one update of that user, the server keeps the new name
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["last_name": "Renamed"]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await setup.run(connection).counts == ["update": 1])
            var sent = setup.transport.take().filter { $0.method != "GET" }
            #expect(sent.map(\.method) == [update] && sent.first?.path == "/Users/\(sam["id"] as? String ?? "")")
            #expect([200, 204].contains(sent.first?.status ?? 0))
            // the whole user goes along (with the supervisor's user as the enterprise manager where the app takes it)
            let changes = try #require(kind == .djangoSCIM2 ? sent.first?.body
                : ((sent.first?.body?["Operations"] as? [[String: Any]])?.first?["value"] as? [String: Any]))
            #expect((changes["name"] as? [String: Any])?["familyName"] as? String == "Renamed")
            let manager = (changes[SCIMTarget.enterpriseSchema] as? [String: Any])?["manager"] as? [String: Any]
            #expect(kind == .djangoSCIM2 ? manager == nil : manager?["value"] as? String == bossID)
            let renamed = try #require(try await scim.user(externalId: String(hire)))
            #expect((renamed["name"] as? [String: Any])?["familyName"] as? String == "Renamed")
            if kind == .scim2Server {
                // kept by the server that stores the enterprise extension (django-scim2 keeps only core attributes)
                let manager = (renamed[SCIMTarget.enterpriseSchema] as? [String: Any])?["manager"] as? [String: Any]
                #expect(manager?["value"] as? String == bossID)
            }

            // an e-mail change moves userName and the e-mail
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["email": "sam.new@acme.example"]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await setup.run(connection).counts == ["update": 1])
            let moved = try #require(try await scim.user(externalId: String(hire)))
            #expect(moved["userName"] as? String == "sam.new@acme.example")
            #expect((moved["emails"] as? [[String: Any]])?.first?["value"] as? String == "sam.new@acme.example")
            #expect(moved["id"] as? String == sam["id"] as? String, "the same user, not a new one")
            _ = setup.transport.take()

            // a termination deactivates (the service desk keeps leavers, archived)
            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(hire)/terminate",
                                                    ["termination_date": fixture.today(plus: -1)]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await setup.run(connection).counts == ["archive": 1])
            sent = setup.transport.take().filter { $0.method != "GET" }
            #expect(sent.map(\.method) == [update])
            #expect(try await scim.user(externalId: String(hire))?["active"] as? Bool == false)

            // a rehire activates the same user again
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)",
                                                    ["status": "active", "hire_date": fixture.today()]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await setup.run(connection).counts == ["restore": 1])
            let back = try #require(try await scim.user(externalId: String(hire)))
            #expect(back["active"] as? Bool == true && back["id"] as? String == sam["id"] as? String)
            #expect(try await scim.allUsers().count == links.count)
        }
    }

    @Test(arguments: SCIMServerHarness.Kind.allCases)
    func underADeletingPresetALeaverIsDeletedAndARehireMadeAgain(_ kind: SCIMServerHarness.Kind) async throws {
        try await withSetup(kind) { setup, scim in
            let fixture = setup.fixture
            let hire = try await fixture.hire("Dora", "Delete", startingIn: -10)
            let connection = try await setup.connect(scim, preset: "survey", compatibility: compatibility(kind))
            #expect(try await setup.run(connection).status == .succeeded)
            let user = try #require(try await scim.user(externalId: String(hire)))
            let id = try #require(user["id"] as? String)
            _ = setup.transport.take()

            #expect(try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(hire)/terminate",
                                                    ["termination_date": fixture.today(plus: -1)]).status == 200)
            fixture.clock.advance(by: 60)
            // deleting needs a complete full listing (an incremental one never deletes anyone)
            let left = try await setup.run(connection, full: true)
            #expect(left.counts == ["delete": 1])
            let sent = setup.transport.take().filter { $0.method != "GET" }
            #expect(sent.map(\.method) == ["DELETE"] && sent.first?.path == "/Users/\(id)" && sent.first?.status == 204)
            #expect(try await scim.user(id) == nil)
            #expect(try await scim.user(externalId: String(hire)) == nil)

            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)",
                                                    ["status": "active", "hire_date": fixture.today()]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await setup.run(connection).status == .succeeded)
            let again = try #require(try await scim.user(externalId: String(hire)))
            #expect(again["active"] as? Bool == true)
            #expect(setup.transport.take().contains { $0.method == "POST" && $0.status == 201 })
        }
    }

    @Test func djangoNeedsPutAndTheFailureSaysSo() async throws {
        try await withSetup(.djangoSCIM2) { setup, scim in
            let fixture = setup.fixture
            let hire = try await fixture.hire("Pat", "Put", startingIn: -3)
            // as the app announces: PATCH, which django-scim2's stock adapter fails for a whole user
            let connection = try await setup.connect(scim, preset: "service-desk")
            #expect(try await setup.run(connection).status == .succeeded, "creating works")
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/employees/\(hire)", ["last_name": "Patched"]).status == 200)
            fixture.clock.advance(by: 60)
            let failed = try await setup.run(connection)
            #expect(failed.status == .failed, "every operation failed: \(failed.counts)")
            let patch = setup.transport.take().filter { $0.method == "PATCH" }
            #expect(patch.map(\.status) == [501], "501 Not Implemented is not tried again: \(patch)")
            let operation = try #require(try await RunOperationModel.query(on: fixture.app.db).filter(\.$run.$id == failed.runID).first())
            #expect(operation.errorExplanation?.contains("PUT instead of PATCH") == true, "\(operation.errorExplanation ?? "")")
            #expect((try await scim.user(externalId: String(hire))?["name"] as? [String: Any])?["familyName"] as? String == "Put")
            #expect(try await setup.connectionsPage().contains(">failing</span>"))

            // the admin picks the preset: the next attempt is a PUT and the app has the change
            let changed = try await WorkspaceAPITests().call(fixture.app, .PATCH, "\(APIPath.connection(connection))", token: setup.token,
                                                             ["scim": ["compatibility": ["preset": "put_only"]]])
            #expect(changed.status == .ok)
            #expect((changed.json["scim"] as? [String: Any])?["compatibility_in_force"] as? [String] == ["changes sent with PUT"])
            _ = setup.transport.take()
            fixture.clock.advance(by: 3600)
            let fixed = try await setup.run(connection)
            #expect(fixed.status == .succeeded, "\(fixed.error ?? "")")
            #expect(setup.transport.take().filter { $0.method != "GET" }.map(\.method) == ["PUT"])
            #expect((try await scim.user(externalId: String(hire))?["name"] as? [String: Any])?["familyName"] as? String == "Patched")
        }
    }

    @Test func compatibilitySettingsAreNamedWhenWrongShownAndAudited() async throws {
        try await withSetup(.scim2Server) { setup, scim in
            let app = setup.fixture.app
            let api = WorkspaceAPITests()
            func create(_ compatibility: [String: Any]) async throws -> (status: HTTPStatus, field: String?) {
                let reply = try await api.call(app, .POST, "\(APIPath.connections)", token: setup.token, [
                    "source_id": setup.fixture.sourceID.uuidString, "preset": "service-desk", "target": "scim",
                    "scim": ["base_url": scim.baseURL, "token": scim.token, "compatibility": compatibility],
                ])
                return (reply.status, reply.error?["field"] as? String)
            }
            for (bad, field) in [(["preset": "okta"], "preset"), (["update_method": "post"], "update_method"),
                                 (["page_size": 0], "page_size"), (["page_size": 1001], "page_size"),
                                 (["requests_per_second": 0], "requests_per_second"), (["page_sise": 10], "page_sise")] as [([String: Any], String)] {
                let answer = try await create(bad)
                #expect(answer.status == .unprocessableEntity && answer.field == "scim.compatibility.\(field)", "\(bad): \(answer)")
            }
            #expect(try await ConnectionModel.query(on: app.db).count() == 0)

            // a preset with a setting over it: stored as given, shown with what is in force
            let created = try await api.call(app, .POST, "\(APIPath.connections)", token: setup.token, [
                "source_id": setup.fixture.sourceID.uuidString, "preset": "service-desk", "target": "scim",
                "scim": ["base_url": scim.baseURL, "token": scim.token,
                         "compatibility": ["preset": "basic", "filter": true, "requests_per_second": 50]],
            ])
            #expect(created.status == .created)
            let view = try #require(created.json["scim"] as? [String: Any])
            #expect(view["base_url"] as? String == scim.baseURL && view["token"] == nil)
            let given = try #require(view["compatibility"] as? [String: Any])
            #expect(given["preset"] as? String == "basic" && given["filter"] as? Bool == true && given["requests_per_second"] as? Int == 50)
            #expect(view["compatibility_in_force"] as? [String] == ["changes sent with PUT", "users searched with filters",
                                                                  "no enterprise extension", "e-mails without type or primary",
                                                                  "at most 50 requests per second"])
            let id = try #require(created.json["id"] as? String)
            // changing the token alone keeps the compatibility; changing the compatibility is audited
            #expect(try await api.call(app, .PATCH, "\(APIPath.connection(id))", token: setup.token, ["scim": ["token": scim.token]])
                .json["scim"].flatMap { ($0 as? [String: Any])?["compatibility_in_force"] as? [String] }?.count == 5)
            let reset = try await api.call(app, .PATCH, "\(APIPath.connection(id))", token: setup.token, ["scim": ["compatibility": [:]]])
            #expect((reset.json["scim"] as? [String: Any])?["compatibility_in_force"] as? [String] == [])
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "connection.updated").all().map(\.detail)
            #expect(audit.last?.hasSuffix("compatibility: as the app announces") == true, "\(audit)")
            #expect(audit.count == 2 && audit.first?.contains("compatibility") == false)
        }
    }

    @Test func theSettingsPageEditsCompatibilityAndTheConnectionPageSaysWhatIsInForce() async throws {
        try await withSetup(.scim2Server) { setup, scim in
            let app = setup.fixture.app
            let connection = try await setup.connect(scim, preset: "service-desk")
            let users = DashboardUsers(database: app.db, now: setup.fixture.clock.provider, bcryptCost: 4)
            try await users.create(workspaceID: setup.fixture.workspaceID, email: "admin@acme.example", name: "Admin",
                                   password: DashboardTests.password,
                                   role: .admin)
            let admin = PageClient(app)
            #expect(try await admin.signIn("admin@acme.example", DashboardTests.password).status == .seeOther)
            let page = try await admin.get(DashboardPath.connectionSettings(connection))
            #expect(page.html.contains("<fieldset id=\"scim-compatibility\">"))
            #expect(page.html.contains("<option value=\"put_only\">PUT instead of PATCH</option>"))
            #expect(page.html.contains("<option value=\"\" selected>As the app announces</option>"))
            let csrf = try #require(PageClient.csrf(page))
            let form: [(String, String)] = [("csrf", csrf), ("name", "Service desk"), ("incremental_interval", "60"), ("full_interval", "43200"),
                                            ("scim_base_url", scim.baseURL), ("scim_token", ""), ("scim_preset", "put_only"),
                                            ("scim_update_method", ""), ("scim_filter", ""), ("scim_enterprise", "false"),
                                            ("scim_typed_emails", ""), ("scim_booleans", ""), ("scim_rate", "")]

            // a page size that is no number is named at its field, and nothing changes
            let wrong = try await admin.post(DashboardPath.connectionSettings(connection), form + [("scim_page_size", "many")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.html.contains("id=\"scim_page_size-error\""))
            let tooMany = try await admin.post(DashboardPath.connectionSettings(connection), form + [("scim_page_size", "5000")])
            #expect(tooMany.html.contains("<p class=\"error\" id=\"scim_page_size-error\">page_size is 1 to 1000 users</p>"))
            let before = try #require(try await ConnectionModel.find(connection, on: app.db))
            #expect(try StoredJSON.decode(SCIMTargetSettings.self, before.targetConfig).compatibilityPreset == nil)

            let saved = try await admin.post(DashboardPath.connectionSettings(connection), form + [("scim_page_size", "100")])
            #expect(saved.location == DashboardPath.connection(connection) + "?notice=saved")
            let stored = try StoredJSON.decode(SCIMTargetSettings.self, try #require(try await ConnectionModel.find(connection,
                                                                                                                    on: app.db)).targetConfig)
            #expect(stored.compatibilityPreset == .putOnly)
            #expect(stored.compatibility == SCIMCompatibility(enterpriseExtension: false, pageSize: 100))
            let shown = try await admin.get(DashboardPath.connection(connection))
            #expect(shown.html.contains("SCIM compatibility: changes sent with PUT, no enterprise extension, 100 users per page."))
            let again = try await admin.get(DashboardPath.connectionSettings(connection))
            #expect(again.html.contains("<option value=\"put_only\" selected>") && again.html.contains("value=\"100\""))

            // saving the same again does not ask the app
            _ = setup.transport.take()
            let same = try await admin.post(DashboardPath.connectionSettings(connection), form + [("scim_page_size", "100")])
            #expect(same.status == .seeOther)
            #expect(setup.transport.take().isEmpty)

            // the next run uses them: the user goes without the enterprise extension
            let hire = try await setup.fixture.hire("Page", "Size", startingIn: -1)
            #expect(try await setup.run(connection).status == .succeeded)
            let create = try #require(setup.transport.take().first { $0.method == "POST" && $0.body?["externalId"] as? String == String(hire) })
            #expect(create.body?[SCIMTarget.enterpriseSchema] == nil)
        }
    }

    @Test func anAppThatAnswersOneUserForEveryoneLinksNobodyToIt() async throws {
        try await withSetup(.scim2Server) { setup, scim in
            let fixture = setup.fixture
            _ = try await fixture.hire("Third", "Person", startingIn: -5)
            let connection = try await setup.connect(scim, preset: "service-desk")
            var runner = setup.runner
            runner.scimTransport = SameUserTransport(setup.transport)
            let run = try await runner.run(connectionID: connection)
            // whoever got the answer first may keep it; everyone else fails, explained, and nobody shares it
            #expect(run.status == .partial || run.status == .failed)
            #expect((run.counts["failed"] ?? 0) >= 2, "\(run.counts)")
            let overview = try await setup.connectionsPage()
            #expect(overview.contains(run.status == .partial ? ">partly failing</span>" : ">failing</span>"))
            #expect(overview.contains("\(run.counts["failed"] ?? 0) of"), "the reason counts the failures")
            let links = try await fixture.links(connection)
            #expect(links.values.filter { $0.targetID == "the-same-user" }.count <= 1)
            let failures = try await RunOperationModel.query(on: fixture.app.db).filter(\.$run.$id == run.runID).filter(\.$outcome == .failed).all()
            #expect(failures.count == run.counts["failed"])
            #expect(failures.allSatisfy { $0.errorCode == "scim_wrong_user" && $0.errorExplanation?.contains("report it to the app's "
                                                                                                             + "vendor") == true })

            // the app is fixed: the next run links each person to their own user
            fixture.clock.advance(by: 3600)
            let fixed = try await setup.run(connection, full: true)
            #expect(fixed.status == .succeeded, "\(fixed.counts)")
            let linked = try await fixture.links(connection)
            let ids = linked.values.compactMap(\.targetID)
            #expect(Set(ids).count == ids.count && ids.count == links.count)

            // a later create answered with a user already linked to someone else (a run that starts afresh,
            // so only the links can tell): refused, and the other person keeps their account
            let (holder, held) = try #require(linked.first { $0.value.targetID != nil }.map { ($0.key, $0.value.targetID!) })
            let late = try await fixture.hire("Fourth", "Person", startingIn: -1)
            runner.scimTransport = SameUserTransport(setup.transport, id: held)
            fixture.clock.advance(by: 60)
            let refused = try await runner.run(connectionID: connection)
            #expect(refused.counts["failed"] == 1)
            let record = try #require(try await RunOperationModel.query(on: fixture.app.db).filter(\.$run.$id == refused.runID)
                .filter(\.$personioID == late).first())
            #expect(record.errorCode == "scim_wrong_user" && record.errorExplanation?.contains("Personio person \(holder)") == true,
                    "\(record.errorExplanation ?? "")")
            let after = try await fixture.links(connection)
            #expect(after[late]?.targetID == nil && after[holder]?.targetID == held)
        }
    }
}

/// An app that answers every create with the same user (a broken SCIM implementation).
final class SameUserTransport: SCIMTransport, @unchecked Sendable {
    let inner: any SCIMTransport
    let id: String

    init(_ inner: any SCIMTransport, id: String = "the-same-user") {
        self.inner = inner
        self.id = id
    }

    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        let answer = try await inner.send(method: method, url: url, headers: headers, body: body, timeout: timeout)
        guard method == "POST", answer.status == 201 else { return answer }
        return (201, answer.headers, Array(#"{"id":"\#(id)"}"#.utf8))
    }
}
