import AsyncHTTPClient
import Fluent
import Logging
import Foundation
@testable import Hub
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

@Suite("Dashboard pages, sessions, CSRF and roles", .serialized)
struct DashboardTests {
    static let password = "correct horse battery"

    struct Context {
        let fixture: SyncFixture
        let users: DashboardUsers
        var app: Application { fixture.app }

        func user(_ role: UserModel.Role) async throws -> String {
            let email = "\(role.rawValue)@acme.example"
            try await users.create(workspaceID: fixture.workspaceID, email: email, name: "\(role.rawValue.capitalized) Person",
                                   password: DashboardTests.password, role: role)
            return email
        }

        func signedIn(_ role: UserModel.Role) async throws -> PageClient {
            let client = PageClient(app)
            let page = try await client.signIn(try await user(role), DashboardTests.password)
            #expect(page.status == .seeOther, "sign-in as \(role) redirects")
            return client
        }
    }

    /// `logger`: the application's, set before anything is mounted (so every query is logged through it).
    /// `outbound`: the policy the hub's runner checks URLs with (none: not checked).
    func withDashboard(_ database: HubConfiguration.Database = .sqlite(path: ":memory:"), logger: Logger? = nil,
                       outbound: OutboundGuard? = nil, _ body: (Context) async throws -> Void) async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 12, seed: 5, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(database) { app in
                if let logger { app.logger = logger }
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                var runner = fixture.runner()
                runner.outbound = outbound
                try HubApp.mount(app, runner: runner, bcryptCost: 4)
                try await body(Context(fixture: fixture, users: DashboardUsers(database: app.db, now: clock.provider, bcryptCost: 4)))
            }
        }
    }

    @Test(arguments: TestDatabases.all)
    func pagesNeedASignInAndTheSessionCookieIsSecureHTTPOnlyAndSameSite(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let client = PageClient(context.app)
            let anonymous = try await client.get(DashboardPath.connections)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location == "/sign-in?next=/connections")

            let email = try await context.user(.admin)
            let page = try await client.signIn(email, Self.password)
            #expect(page.status == .seeOther)
            let session = try #require(page.setCookies.first { $0.hasPrefix("rollcall_session=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Lax"), "\(session)")
            #expect(session.contains("Max-Age="))
            let connections = try await client.get(DashboardPath.connections)
            #expect(connections.status == .ok)
            #expect(connections.html.contains("Admin Person · admin"))

            // signing out ends the session on the server, not only in the browser
            let token = try #require(client.cookies["rollcall_session"])
            _ = try await client.post(DashboardPath.signOut, [("csrf", PageClient.csrf(connections) ?? "")])
            client.cookies["rollcall_session"] = token
            #expect(try await client.get(DashboardPath.connections).status == .seeOther)
        }
    }

    @Test func aRefusedBaseURLInTheConnectWizardIsExplainedAtItsField() async throws {
        let outbound = OutboundGuard(policy: .standard)
        try await withDashboard(outbound: outbound) { context in
            let client = try await context.signedIn(.admin)
            let form = try await client.get("/sources/new")
            let page = try await client.post("/sources", [("csrf", PageClient.csrf(form) ?? ""), ("name", "Internal"), ("preset", "survey"),
                                                          ("client_id", "c"), ("client_secret", "s"), ("base_url", "http://10.0.0.8/v1")])
            #expect(page.status == .unprocessableEntity)
            // the message sits with the base URL field, saying what was refused and how the operator allows it
            let error = try #require(page.html.range(of: "<p class=\"error\" id=\"base_url-error\">"))
            let message = page.html[error.upperBound...].prefix { $0 != "<" }
            #expect(message.contains("10.0.0.8 is not Personio") && message.contains("ROLLCALL_OUTBOUND_ALLOW=10.0.0.8"), "\(message)")
            #expect(try await SourceModel.query(on: context.app.db).count() == 1, "only the fixture's source")
        }
        await outbound.shutdown()
    }

    @Test func aSCIMConnectionSaysWhatTheAppDoesNotDeclare() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let config = #"{"base_url":"https://app.example/scim/v2","sealed_token":"","deletes":true,"user_name_field":"email","omitted":["emails.primary","emails.type"]}"#
            let connection = ConnectionModel(workspaceID: fixture.workspaceID, sourceID: fixture.sourceID, name: "Strict app", preset: "service-desk",
                                             targetKind: .scim, targetConfig: config, rules: try StoredJSON.text(Preset.serviceDesk.rules()),
                                             incrementalInterval: 60, fullInterval: 3600)
            try await connection.create(on: context.app.db)
            let page = try await context.signedIn(.viewer).get(DashboardPath.connection(try connection.requireID()))
            #expect(page.html.contains("The app's SCIM schema does not declare emails.primary, emails.type; Rollcall leaves them out"))
        }
    }

    @Test func aConnectionSaysWhatPersonioStoppedSharingAndAnAdminAcceptsIt() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            #expect(try await fixture.sync(connection, full: true).status == .succeeded)
            #expect(try await fixture.sandbox.admin(.PUT, "/sandbox/faults", ["drop_attribute": "department"]).status == 200)
            fixture.clock.advance(by: 60)
            #expect(try await fixture.sync(connection, full: true).counts.isEmpty)

            // a viewer sees why, without the button
            let viewer = try await context.signedIn(.viewer)
            let overview = try await viewer.get(DashboardPath.connections)
            #expect(overview.html.contains("fields kept"))
            let seen = try await viewer.get(DashboardPath.connection(connection))
            #expect(seen.html.contains("Personio stopped sharing department"))
            #expect(seen.html.contains("department (since 22 Nov 2026, 10:01)"), "as the dashboard writes dates")
            #expect(!seen.html.contains("no longer shared</button>"))
            #expect(try await viewer.post(DashboardPath.connectionAction(connection, .acceptWithheld),
                                          [("csrf", PageClient.csrf(seen) ?? "")]).status == .forbidden)

            // an admin accepts it
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.connection(connection))
            #expect(page.html.contains("Accept: department no longer shared</button>"))
            let accepted = try await admin.post(DashboardPath.connectionAction(connection, .acceptWithheld), [("csrf", PageClient.csrf(page) ?? "")])
            #expect(accepted.status == .seeOther)
            let after = try await admin.get(DashboardPath.connection(connection))
            #expect(!after.html.contains("id=\"withheld\""), "the notice is gone (earlier runs still say what they saw)")
            #expect(try await AuditEventModel.query(on: context.app.db).filter(\.$action == "connection.withheld_accepted").first()?.actor
                    == "admin@acme.example")
        }
    }

    @Test(arguments: TestDatabases.all)
    func wrongPasswordsAreRejectedAndRateLimitedPerAddress(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let email = try await context.user(.owner)
            let client = PageClient(context.app)
            for _ in 0..<5 {
                let page = try await client.signIn(email, "not the password at all")
                #expect(page.status == .unauthorized)
                #expect(page.html.contains("do not match an account"))
                #expect(page.html.contains("value=\"\(email)\""), "the form keeps the address")
            }
            let locked = try await client.signIn(email, Self.password)
            #expect(locked.status == .tooManyRequests, "even the right password waits after five failures")
            #expect(locked.html.contains("Too many failed sign-ins"))
            #expect(client.cookies["rollcall_session"] == nil)
            let failures = try await SignInAttemptModel.query(on: context.app.db).filter(\.$succeeded == false).count()
            #expect(failures == 5)

            // the window passes
            context.fixture.clock.advance(by: 16 * 60)
            #expect(try await client.signIn(email, Self.password).status == .seeOther)
        }
    }

    @Test(arguments: TestDatabases.all)
    func expiredSessionsAndOldSignInAttemptsArePurged(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let email = try await context.user(.admin)
            let (db, clock, users) = (context.app.db, context.fixture.clock, context.users)
            #expect(try await users.signIn(email: email, password: "not the password at all", address: "192.0.2.1").isRejected)
            #expect(try await users.signIn(email: email, password: Self.password, address: "192.0.2.1").isSignedIn)
            try await users.purgeExpired()
            #expect(try await DashboardSessionModel.query(on: db).count() == 1, "a valid session stays")
            #expect(try await SignInAttemptModel.query(on: db).count() == 2, "fresh attempts stay")

            clock.advance(by: 13 * 3600)  // past the 12-hour session lifetime
            #expect(try await users.signIn(email: email, password: Self.password, address: "192.0.2.1").isSignedIn)
            try await users.purgeExpired()
            #expect(try await DashboardSessionModel.query(on: db).count() == 1, "the expired session went, the new one stays")
            #expect(try await SignInAttemptModel.query(on: db).count() == 3, "attempts are kept for a day")

            clock.advance(by: 12 * 3600)
            try await users.purgeExpired()
            #expect(try await SignInAttemptModel.query(on: db).count() == 1, "the two attempts older than a day went")
            #expect(try await DashboardSessionModel.query(on: db).count() == 0)
        }
    }

    @Test func aSignInFormWithoutItsTokenAndAnOffSiteNextAreRefused() async throws {
        try await withDashboard { context in
            let email = try await context.user(.owner)
            let client = PageClient(context.app)
            let forged = try await client.post(DashboardPath.signIn, [("csrf", "guess"), ("email", email), ("password", Self.password)])
            #expect(forged.status == .forbidden)
            let form = try await client.get(DashboardPath.signIn + "?next=//evil.example/x")
            let page = try await client.post(DashboardPath.signIn, [("csrf", PageClient.csrf(form) ?? ""), ("email", email),
                                                                    ("password", Self.password), ("next", "//evil.example/x")])
            #expect(page.location == DashboardPath.connections)
        }
    }

    @Test func everyFormPostNeedsTheSessionsCSRFToken() async throws {
        try await withDashboard { context in
            let connection = try await context.fixture.connection(.timeTracking)
            let client = try await context.signedIn(.admin)
            let missing = try await client.post(DashboardPath.connectionAction(connection, .pause), [])
            #expect(missing.status == .forbidden)
            let wrong = try await client.post(DashboardPath.connectionAction(connection, .pause), [("csrf", "not-the-token")])
            #expect(wrong.status == .forbidden)
            #expect(wrong.html.contains("The form expired"))
            #expect(try await ConnectionModel.find(connection, on: context.app.db)?.paused == false, "nothing changed")

            let page = try await client.get(DashboardPath.connection(connection))
            let paused = try await client.post(DashboardPath.connectionAction(connection, .pause), [("csrf", PageClient.csrf(page) ?? "")])
            #expect(paused.status == .seeOther)
            #expect(try await ConnectionModel.find(connection, on: context.app.db)?.paused == true)
            let audit = try await AuditEventModel.query(on: context.app.db).filter(\.$action == "connection.paused").first()
            #expect(audit?.actor == "admin@acme.example")
        }
    }

    @Test func aViewerSeesEverythingButCannotChangeAnything() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            let onboarding = try await fixture.connection(.eorOnboarding)
            _ = try await fixture.sync(connection)
            _ = try await fixture.sync(onboarding)
            let viewer = try await context.signedIn(.viewer)
            let page = try await viewer.get(DashboardPath.connection(connection))
            #expect(page.status == .ok)
            #expect(!page.html.contains("Sync now"), "no buttons for a viewer")
            let csrf = try #require(PageClient.csrf(page), "the sign-out form carries the token")
            let runs = try await RunModel.query(on: context.app.db).count()

            for action in DashboardPath.ConnectionAction.allCases {
                let reply = try await viewer.post(DashboardPath.connectionAction(connection, action), [("csrf", csrf), ("confirm", "Time tracking")])
                #expect(reply.status == .forbidden, "\(action)")
                #expect(reply.html.contains("Your role (viewer) may not do this"))
            }
            let draft = try #require(try await fixture.links(onboarding).values.first { $0.state == .draft })
            let approve = try await viewer.post(DashboardPath.importPeople(onboarding),
                                                [("csrf", csrf), ("personio_ids[]", String(draft.personioID)), ("country", "DE")])
            #expect(approve.status == .forbidden)
            #expect(try await viewer.get(DashboardPath.newSource).status == .forbidden)
            #expect(try await viewer.get(DashboardPath.users).status == .forbidden)
            #expect(try await viewer.post(DashboardPath.sources, [("csrf", csrf), ("client_id", "x"), ("client_secret", "y")]).status == .forbidden)

            #expect(try await RunModel.query(on: context.app.db).count() == runs, "no run started")
            #expect(try await ConnectionModel.find(connection, on: context.app.db)?.paused == false)
            #expect(try await fixture.links(onboarding)[draft.personioID]?.approvedAt == nil)
            #expect(try await ConnectionModel.query(on: context.app.db).count() == 2, "nothing deleted")
        }
    }

    @Test func theMainPagesShowTheirContentAndNoSecret() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            let report = try await fixture.sync(connection)
            let apiToken = try await APITokens.create(workspaceID: fixture.workspaceID, name: "t", on: context.app.db).token
            let client = try await context.signedIn(.owner)
            let session = try #require(client.cookies["rollcall_session"])
            let someone = try #require(try await fixture.links(connection).values.first { $0.state == .active })

            let pages: [(String, [String])] = [
                (DashboardPath.connections, ["Time tracking", "connected", "time-tracking → feed", "active"]),
                (DashboardPath.connection(connection), ["Sync now", "Preview", "Runs", "<svg class=\"chart\"", someone.displayName ?? "",
                                                        "Delete connection"]),
                (DashboardPath.sources, ["Sandbox", fixture.sandbox.clientId]),
                (DashboardPath.source(fixture.sourceID), ["Connected", "First name", "readable", "Rotate the key"]),
                (DashboardPath.run(report.runID), ["Full run", "create", "applied"]),
                (DashboardPath.person(someone.personioID), ["Time tracking", "active", "create"]),
                (DashboardPath.audit, ["user.signed_in", "owner@acme.example"]),
                (DashboardPath.users, ["owner@acme.example", "Invite someone"]),
                (DashboardPath.handoffs, ["Review a hire"]),
                (DashboardPath.newHandoff, ["Send to Personio", "Candidate id"]),
                (DashboardPath.newConnection, ["Preset", "Employee surveys"]),
                (DashboardPath.newSource, ["Client secret", "credentials file"]),
            ]
            for (path, expected) in pages {
                let page = try await client.get(path)
                #expect(page.status == .ok, "\(path)")
                for text in expected { #expect(page.html.contains(text), "\(path) shows \(text)") }
                for secret in [fixture.sandbox.clientSecret, session, apiToken, fixture.sandbox.adminToken] {
                    #expect(!page.html.contains(secret), "\(path) must not contain a secret")
                }
            }
            let css = try await client.get(DashboardPath.stylesheet)
            #expect(css.status == .ok && css.html.contains("--accent"))
            #expect(try await client.get("/runs/\(UUID())").status == .notFound)
            #expect(try await client.get("/connections/\(UUID())").status == .notFound)
        }
    }

    @Test func theWizardNamesAWrongSecretAndAMissingAttributeAndShowsConnectedWhenFixed() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let client = try await context.signedIn(.admin)
            let form = try await client.get(DashboardPath.newSource)
            let csrf = try #require(PageClient.csrf(form))
            let base = fixture.sandbox.baseURL + "/v1"

            let wrong = try await client.post(DashboardPath.sources, [("csrf", csrf), ("name", "Acme HR"), ("client_id", fixture.sandbox.clientId),
                                                                       ("client_secret", "wrong-secret-value"), ("base_url", base)])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.html.contains("value=\"Acme HR\""), "the entered values stay")
            #expect(!wrong.html.contains("wrong-secret-value"), "the secret is never echoed")
            #expect(wrong.html.contains("role=\"alert\""))

            // a credential that may not read the department
            let restricted = try await fixture.sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "no-department", "client_secret": "no-department-secret-1",
                "readable_attributes": ["first_name", "last_name", "email", "status", "hire_date"],
            ])
            #expect(restricted.status == 201, "\(restricted.text)")
            let created = try await client.post(DashboardPath.sources, [("csrf", csrf), ("name", "Survey source"), ("preset", "survey"),
                                                                         ("client_id", "no-department"), ("client_secret", "no-department-secret-1"),
                                                                         ("base_url", base)])
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            let missing = try await client.get(location)
            #expect(missing.html.contains("Not connected yet"))
            #expect(missing.html.contains("Department"))
            #expect(missing.html.contains("Settings › Integrations › API credentials"))
            #expect(!missing.html.contains("no-department-secret-1"))

            let fixed = try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/no-department", [
                "readable_attributes": ["first_name", "last_name", "email", "status", "hire_date", "department"],
            ])
            #expect(fixed.status == 200, "\(fixed.text)")
            let connected = try await client.get(location)
            #expect(connected.html.contains("<strong>Connected</strong>"))
        }
    }

    @Test(arguments: TestDatabases.all)
    func hrImportsDraftsWithACountryAndApprovesThem(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let fixture = context.fixture
            let onboarding = try await fixture.connection(.eorOnboarding)
            _ = try await fixture.sync(onboarding)
            let drafts = try await fixture.links(onboarding).values.filter { $0.state == .draft }.map(\.personioID).sorted()
            #expect(drafts.count >= 2)
            let hr = try await context.signedIn(.hr)
            let page = try await hr.get(DashboardPath.importPeople(onboarding))
            #expect(page.status == .ok)
            #expect(page.html.contains("from Personio"))
            let csrf = try #require(PageClient.csrf(page))

            let noCountry = try await hr.post(DashboardPath.importPeople(onboarding), [("csrf", csrf), ("personio_ids[]", String(drafts[0]))])
            #expect(noCountry.status == .unprocessableEntity)
            #expect(noCountry.html.contains("country is required"))
            #expect(noCountry.html.contains("id=\"p\(drafts[0])\" name=\"personio_ids[]\" value=\"\(drafts[0])\" checked"), "the choice stays")

            // the country is picked from the ISO 3166 list; a code that is no country is refused
            #expect(page.html.contains("<option value=\"ES\">Spain (ES)</option>"))
            let nowhere = try await hr.post(DashboardPath.importPeople(onboarding), [("csrf", csrf), ("personio_ids[]", String(drafts[0])),
                                                                                      ("country", "XX")])
            #expect(nowhere.status == .unprocessableEntity)
            #expect(nowhere.html.contains("XX is not a country"))
            // each draft shows its job title and start date
            let first = try #require(try await fixture.links(onboarding)[drafts[0]]?.fields.map(StoredJSON.fields))
            if let title = first["job_title"], let start = first["contract_start"] {
                #expect(page.html.contains("\(title) · starts \(start)"), "job title and start date are shown")
            }

            let approved = try await hr.post(DashboardPath.importPeople(onboarding), [("csrf", csrf), ("personio_ids[]", String(drafts[0])),
                                                                                       ("personio_ids[]", String(drafts[1])), ("country", "es")])
            #expect(approved.status == .seeOther)
            let links = try await fixture.links(onboarding)
            for id in drafts.prefix(2) {
                #expect(links[id]?.approvedBy == "hr@acme.example")
                #expect(links[id]?.state == .active)
                #expect(links[id]?.importFields?.contains("ES") == true)
            }
            #expect(links[drafts[2]]?.state == .draft)
        }
    }

    @Test func theImportListIsPagedAndAllOnAPageAreSelectedAtOnce() async throws {
        let clock = ManualClock(SyncRunnerTests.start)
        try await withSandbox(employees: 130, seed: 5, clock: clock) { sandbox in
            try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
                let fixture = try await SyncFixture.make(app, sandbox, clock: clock)
                try HubApp.mount(app, runner: fixture.runner(), bcryptCost: 4)
                let context = Context(fixture: fixture, users: DashboardUsers(database: app.db, now: clock.provider, bcryptCost: 4))
                let onboarding = try await fixture.connection(.eorOnboarding, brake: false)
                _ = try await fixture.sync(onboarding, full: true)
                let drafts = try await fixture.links(onboarding).values.filter { $0.state == .draft }.count
                #expect(drafts > DashboardRoutes.importPageSize)
                let hr = try await context.signedIn(.hr)
                let page = try await hr.get(DashboardPath.importPeople(onboarding))
                #expect(page.html.contains("Drafts from Personio (\(drafts))"))
                #expect(page.html.contains("Showing 1–50 of \(drafts)"))
                #expect(page.html.contains("href=\"\(DashboardPath.importPeople(onboarding))?page=2\">Next</a>"))
                let shown = try #require(page.html.components(separatedBy: "name=\"shown\" value=\"").dropFirst().first?.split(separator: "\"").first)
                let ids = shown.split(separator: ",").compactMap { Int($0) }
                #expect(ids.count == 50)
                let second = try await hr.get(DashboardPath.importPeople(onboarding) + "?page=2")
                #expect(second.html.contains("Showing 51–") && second.html.contains(">Previous</a>"))
                #expect(!ids.contains { second.html.contains("value=\"\($0)\"") && second.html.contains("id=\"p\($0)\"") }, "no one twice")

                let approved = try await hr.post(DashboardPath.importPeople(onboarding), [("csrf", try #require(PageClient.csrf(page))),
                                                                                           ("all_shown", "on"), ("shown", String(shown)), ("country",
                                                                                                                                           "DE")])
                #expect(approved.status == .seeOther)
                let links = try await fixture.links(onboarding)
                #expect(ids.allSatisfy { links[$0]?.approvedBy == "hr@acme.example" }, "everyone on the page was approved")
                #expect(links.values.filter { $0.approvedAt != nil }.count == 50, "and nobody else")
            }
        }
    }

    @Test func hrRejectsDraftsWhichThenLeaveTheImportList() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let onboarding = try await fixture.connection(.eorOnboarding)
            _ = try await fixture.sync(onboarding)
            let drafts = try await fixture.links(onboarding).values.filter { $0.state == .draft }.map(\.personioID).sorted()
            let hr = try await context.signedIn(.hr)
            let page = try await hr.get(DashboardPath.importPeople(onboarding))
            let csrf = try #require(PageClient.csrf(page))
            let rejected = try await hr.post(DashboardPath.importPeople(onboarding), [("csrf", csrf), ("personio_ids[]", String(drafts[0])),
                                                                                       ("decision", "reject")])
            #expect(rejected.status == .seeOther)
            let after = try await hr.get(try #require(rejected.location))
            #expect(after.html.contains("Rejected: they stay in Personio"))
            #expect(!after.html.contains("id=\"p\(drafts[0])\""), "a rejected draft leaves the list")
            #expect(after.html.contains("id=\"p\(drafts[1])\""))
            let link = try await fixture.links(onboarding)[drafts[0]]
            #expect(link?.rejectedBy == "hr@acme.example" && link?.state == .draft && link?.approvedAt == nil)
            #expect(try await AuditEventModel.query(on: context.app.db).filter(\.$action == "people.rejected").count() == 1)
        }
    }

    @Test func anOwnerInvitesSomeoneWhoJoinsWithTheInvitedRole() async throws {
        try await withDashboard { context in
            let owner = try await context.signedIn(.owner)
            let page = try await owner.get(DashboardPath.users)
            let csrf = try #require(PageClient.csrf(page))
            let bad = try await owner.post(DashboardPath.users + "/invite", [("csrf", csrf), ("email", "not-an-address"), ("role", "hr")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.html.contains("not an e-mail address") && bad.html.contains("value=\"not-an-address\""))
            let invited = try await owner.post(DashboardPath.users + "/invite", [("csrf", csrf), ("email", "Nina@Acme.example"), ("role", "hr")])
            #expect(invited.status == .ok)
            let link = try #require(invited.html.range(of: "<code id=\"invite-link\">").map {
                String(invited.html[$0.upperBound...].prefix { $0 != "<" })
            })
            let path = try #require(URL(string: link)?.path)

            let guest = PageClient(context.app)
            let form = try await guest.get(path)
            #expect(form.status == .ok && form.html.contains("nina@acme.example") && form.html.contains("hr"))
            let short = try await guest.post(path, [("name", "Nina"), ("password", "short")])
            #expect(short.status == .unprocessableEntity && short.html.contains("at least 12 characters"))
            let joined = try await guest.post(path, [("name", "Nina Hr"), ("password", Self.password)])
            #expect(joined.location == DashboardPath.signIn)
            #expect(try await guest.get(path).status == .notFound, "an invitation works once")
            #expect(try await guest.signIn("nina@acme.example", Self.password).status == .seeOther)
            let user = try await UserModel.query(on: context.app.db).filter(\.$email == "nina@acme.example").first()
            #expect(user?.role == .hr)
        }
    }

    @Test func theWizardAcceptsTheUploadedCredentialsFile() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let client = try await context.signedIn(.admin)
            let csrf = try #require(PageClient.csrf(try await client.get(DashboardPath.newSource)))
            let boundary = "----rollcall-test-boundary"
            func part(_ name: String, _ value: String, file: String? = nil) -> String {
                let disposition = file.map { "; filename=\"\($0)\"\r\nContent-Type: application/json" } ?? ""
                return "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(disposition)\r\n\r\n\(value)\r\n"
            }
            let file = "{\"client_id\": \"\(fixture.sandbox.clientId)\", \"client_secret\": \"\(fixture.sandbox.clientSecret)\"}"
            let body = part("csrf", csrf) + part("name", "Uploaded") + part("client_id", "") + part("client_secret", "")
                + part("base_url", fixture.sandbox.baseURL + "/v1") + part("credentials_file", file, file: "personio.json") + "--\(boundary)--\r\n"
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: client.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            headers.add(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let response = try await context.app.testing().sendRequest(.POST, DashboardPath.sources, headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .seeOther, "\(response.body.string)")
            let source = try await SourceModel.query(on: context.app.db).filter(\.$name == "Uploaded").first()
            #expect(source?.clientID == fixture.sandbox.clientId)
            let page = try await client.get(try #require(response.headers.first(name: .location)))
            #expect(page.html.contains("<strong>Connected</strong>"))
            #expect(!page.html.contains(fixture.sandbox.clientSecret))
        }
    }

    @Test(arguments: TestDatabases.all)
    func connectionSettingsAreEditedWithTheAPIsChecksAndAudited(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let (db, clock) = (context.app.db, context.fixture.clock)
            let connection = try await context.fixture.connection(.survey)
            let model = try #require(try await ConnectionModel.find(connection, on: db))
            model.nextRunAt = clock.now.addingTimeInterval(43_200)
            try await model.save(on: db)

            let viewer = try await context.signedIn(.viewer)
            #expect(try await viewer.get(DashboardPath.connectionSettings(connection)).status == .forbidden)
            let viewerPage = try await viewer.get(DashboardPath.connection(connection))
            #expect(!viewerPage.html.contains("Settings</a>"))
            #expect(try await viewer.post(DashboardPath.connectionSettings(connection),
                                          [("csrf", PageClient.csrf(viewerPage) ?? ""), ("name", "Mine")]).status == .forbidden)

            let admin = try await context.signedIn(.admin)
            let connectionPage = try await admin.get(DashboardPath.connection(connection)).html
            #expect(connectionPage.contains("href=\"\(DashboardPath.connectionSettings(connection))\""))
            let page = try await admin.get(DashboardPath.connectionSettings(connection))
            #expect(page.status == .ok)
            #expect(page.html.contains("value=\"\(model.name)\""))
            #expect(page.html.contains("<option value=\"\(model.incrementalInterval)\" selected"), "the current interval is chosen")
            let csrf = try #require(PageClient.csrf(page))

            // bad values are named at their field and change nothing
            let forged = try await admin.post(DashboardPath.connectionSettings(connection),
                                              [("csrf", csrf), ("name", "Onboarding"), ("incremental_interval", "10"), ("full_interval", "43200")])
            #expect(forged.status == .badRequest || forged.status == .unprocessableEntity)
            #expect(forged.html.contains("id=\"incremental_interval-error\""))
            let wordy = try await admin.post(DashboardPath.connectionSettings(connection),
                                             [("csrf", csrf), ("name", "Onboarding"), ("incremental_interval", "300"), ("full_interval", "43200"),
                                              ("seat_limit", "fifty")])
            #expect(wordy.html.contains("<p class=\"error\" id=\"seat_limit-error\">The seat limit is a whole number"))
            let blank = try await admin.post(DashboardPath.connectionSettings(connection),
                                             [("csrf", csrf), ("name", "  "), ("incremental_interval", "300"), ("full_interval", "43200")])
            #expect(blank.html.contains("id=\"name-error\""))
            #expect(try await ConnectionModel.find(connection, on: db)?.name == model.name)
            #expect(try await AuditEventModel.query(on: db).filter(\.$action == "connection.updated").count() == 0)

            let saved = try await admin.post(DashboardPath.connectionSettings(connection),
                                             [("csrf", csrf), ("name", "New hires"), ("incremental_interval", "300"), ("full_interval", "86400"),
                                              ("seat_limit", "5")])
            #expect(saved.location == DashboardPath.connection(connection) + "?notice=saved")
            let changed = try #require(try await ConnectionModel.find(connection, on: db))
            #expect(changed.name == "New hires" && changed.incrementalInterval == 300 && changed.fullInterval == 86_400)
            #expect(try StoredJSON.decode(ConnectionRules.self, changed.rules).policy.seatLimit == 5)
            #expect(changed.nextRunAt == clock.now.addingTimeInterval(300), "a shorter interval brings the next run forward")
            let event = try #require(try await AuditEventModel.query(on: db).filter(\.$action == "connection.updated").first())
            #expect(event.actor == "admin@acme.example")
            #expect(event.detail == "New hires: renamed from \(model.name), changes read every 300 s, full listing every 86400 s, seat limit 5")

            // an emptied seat limit removes it
            clock.advance(by: 60)
            _ = try await admin.post(DashboardPath.connectionSettings(connection),
                                     [("csrf", csrf), ("name", "New hires"), ("incremental_interval", "300"), ("full_interval", "86400"),
                                      ("seat_limit", "")])
            let cleared = try #require(try await ConnectionModel.find(connection, on: db))
            #expect(try StoredJSON.decode(ConnectionRules.self, cleared.rules).policy.seatLimit == nil)
            #expect(try await AuditEventModel.query(on: db).filter(\.$action == "connection.updated").sort(\.$createdAt, .descending).first()?.detail
                    == "New hires: no seat limit")
        }
    }

    @Test(arguments: TestDatabases.all)
    func theMappingEditorAddsACustomAttributeByItsLabelPreviewsAndSaves(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let db = context.app.db
            let connection = try await context.fixture.connection(.timeTracking)
            let viewer = try await context.signedIn(.viewer)
            #expect(try await viewer.get(DashboardPath.connectionMapping(connection)).status == .forbidden)

            let admin = try await context.signedIn(.admin)
            let connectionPage = try await admin.get(DashboardPath.connection(connection)).html
            #expect(connectionPage.contains("href=\"\(DashboardPath.connectionMapping(connection))\""))
            let page = try await admin.get(DashboardPath.connectionMapping(connection))
            #expect(page.status == .ok)
            // custom attributes are offered by their label; the stored rows come first, then three blank ones
            #expect(page.html.contains("<option value=\"dynamic_1001\">Phone (dynamic_1001)</option>"))
            #expect(page.html.contains("<input type=\"hidden\" name=\"rows\" value=\"8\">"))
            #expect(page.html.contains("id=\"row2_field\" name=\"row2_field\" type=\"text\" value=\"email\""))
            let csrf = try #require(PageClient.csrf(page))
            var form: [(String, String)] = [("csrf", csrf), ("rows", "6")]
            for (index, field) in Preset.timeTracking.mapping.fields.enumerated() {
                form.append(("row\(index)_field", field.target))
                if case .attribute(let key) = field.source { form.append(("row\(index)_from", key)) }
                if field.transforms.contains(.trim) { form.append(("row\(index)_trim", "on")) }
                if field.transforms.contains(.lowercase) { form.append(("row\(index)_lowercase", "on")) }
            }
            form.append(("row4_remove", "on"))  // position goes
            form += [("row5_field", "phone"), ("row5_from", "dynamic_1001"), ("row5_trim", "on")]

            // a mistake is named at its row and saves nothing
            let wrong = try await admin.post(DashboardPath.connectionMapping(connection),
                                             form + [("rows", "7"), ("row6_field", "start"), ("row6_from", "hire_date"), ("row6_date", "hh:mm")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.html.contains("Row 6: a date format uses yyyy, MM, dd"), "\(wrong.html)")
            #expect(try await ConnectionModel.find(connection, on: db)?.connectionRules().mapping == Preset.timeTracking.mapping)

            // the preview shows a real person's phone before anything is saved
            let links = try await context.fixture.sync(connection, full: true)
            #expect(links.status == .succeeded)
            let preview = try await admin.post(DashboardPath.connectionMappingPreview(connection), form + [("personio_id", "")])
            #expect(preview.status == .ok)
            #expect(preview.html.contains("id=\"mapping-preview\""))
            #expect(preview.html.contains("<th scope=\"row\">phone</th><td>—</td><td><strong>+49 "), "\(preview.html)")
            #expect(try await ConnectionModel.find(connection, on: db)?.connectionRules().mapping == Preset.timeTracking.mapping)

            let saved = try await admin.post(DashboardPath.connectionMapping(connection), form)
            #expect(saved.location == DashboardPath.connection(connection) + "?notice=saved")
            let mapping = try #require(try await ConnectionModel.find(connection, on: db)).connectionRules().mapping
            #expect(mapping.fields.map(\.target) == ["first_name", "last_name", "email", "department", "phone"])
            #expect(mapping.fields.last == FieldMapping("phone", from: "dynamic_1001", .trim))
            let event = try await AuditEventModel.query(on: db).filter(\.$action == "connection.updated").first()
            #expect(event?.detail == "Time tracking: mapping: added phone from dynamic_1001, removed position")
            #expect(event?.actor == "admin@acme.example")
        }
    }

    @Test(arguments: TestDatabases.all)
    func theScopeEditorCountsLiveAndSavesARuleOnADepartment(_ database: HubConfiguration.Database) async throws {
        try await withDashboard(database) { context in
            let db = context.app.db
            let connection = try await context.fixture.connection(.timeTracking)
            _ = try await context.fixture.sync(connection, full: true)
            let departments = try await context.fixture.links(connection).values.compactMap { try StoredJSON.fields($0.fields ?? "{}")["department"] }
            let department = try #require(departments.first)
            let viewer = try await context.signedIn(.viewer)
            #expect(try await viewer.get(DashboardPath.connectionScope(connection)).status == .forbidden)

            let admin = try await context.signedIn(.admin)
            let connectionPage = try await admin.get(DashboardPath.connection(connection))
            #expect(connectionPage.html.contains("href=\"\(DashboardPath.connectionScope(connection))\""))
            #expect(connectionPage.html.contains("<span id=\"scope-summary\">scope: everyone</span>"))
            let page = try await admin.get(DashboardPath.connectionScope(connection))
            #expect(page.status == .ok)
            #expect(page.html.contains("<h2 id=\"scope-count\">12 of 12 people in scope</h2>"), "everyone, counted live")
            #expect(page.html.contains("<option value=\"department\">Department (department)</option>"))
            let csrf = try #require(PageClient.csrf(page))
            let form: [(String, String)] = [("csrf", csrf), ("rules", "2"), ("rule0_attribute", "department"), ("rule0_how", "is"),
                                            ("rule0_values", department), ("rule1_attribute", ""), ("rule1_values", "")]

            let counted = try await admin.post(DashboardPath.connectionScopeCount(connection), form)
            #expect(counted.status == .ok)
            #expect(counted.html.contains(" of 12 people in scope</h2>") && !counted.html.contains(">12 of 12"), "fewer in scope")
            #expect(counted.html.contains("not one of \(department)"), "the people left out, with why")
            #expect(try await ConnectionModel.find(connection, on: db)?.connectionRules().scope == .everyone, "counting saves nothing")

            let empty = try await admin.post(DashboardPath.connectionScope(connection),
                                             [("csrf", csrf), ("rules", "1"), ("rule0_attribute", "department"), ("rule0_how", "is"),
                                              ("rule0_values", " ")])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.html.contains("Rule 1: is lists 1 to 200 values"), "\(empty.html)")

            let saved = try await admin.post(DashboardPath.connectionScope(connection), form)
            #expect(saved.location == DashboardPath.connection(connection) + "?notice=saved")
            let scope = try #require(try await ConnectionModel.find(connection, on: db)).connectionRules().scope
            #expect(scope == Scope([.init(attribute: "department", values: [department])]))
            #expect(try await admin.get(DashboardPath.connection(connection)).html.contains("scope: department is \(department)"))
            let event = try await AuditEventModel.query(on: db).filter(\.$action == "connection.updated").first()
            #expect(event?.detail == "Time tracking: scope: department is \(department)")
        }
    }

    @Test func deletingAConnectionNeedsAnOwnerAndItsNameTyped() async throws {
        try await withDashboard { context in
            let connection = try await context.fixture.connection(.timeTracking)
            let report = try await context.fixture.sync(connection)
            let admin = try await context.signedIn(.admin)
            let adminPage = try await admin.get(DashboardPath.connection(connection))
            #expect(!adminPage.html.contains("Delete connection"), "only owners see it")
            let refused = try await admin.post(DashboardPath.connectionAction(connection, .delete),
                                               [("csrf", PageClient.csrf(adminPage) ?? ""), ("confirm", "Time tracking")])
            #expect(refused.status == .forbidden)

            let owner = try await context.signedIn(.owner)
            let page = try await owner.get(DashboardPath.connection(connection))
            let csrf = try #require(PageClient.csrf(page))
            let mistyped = try await owner.post(DashboardPath.connectionAction(connection, .delete), [("csrf", csrf), ("confirm", "time")])
            #expect(mistyped.status == .unprocessableEntity)
            #expect(mistyped.html.contains("<p class=\"error\" id=\"confirm-error\">Type the connection&#39;s name exactly"))
            #expect(try await ConnectionModel.find(connection, on: context.app.db) != nil)

            // the run page filters by outcome before the connection goes
            let applied = try await owner.get(DashboardPath.run(report.runID) + "?outcome=applied")
            #expect(applied.html.contains("<strong aria-current=\"page\">applied</strong>"))
            let failed = try await owner.get(DashboardPath.run(report.runID) + "?outcome=failed")
            #expect(failed.html.contains("No operations with outcome failed"))

            let deleted = try await owner.post(DashboardPath.connectionAction(connection, .delete), [("csrf", csrf), ("confirm", "Time tracking")])
            #expect(deleted.location == DashboardPath.connections + "?notice=deleted")
            #expect(try await ConnectionModel.find(connection, on: context.app.db) == nil)
            #expect(try await LinkModel.query(on: context.app.db).filter(\.$connection.$id == connection).count() == 0, "its people are purged")
        }
    }

    @Test func theSourcePageSetsThePersonioAPIAndShowsTheV2Access() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.source(fixture.sourceID))
            #expect(page.html.contains("name=\"api_version\""))
            #expect(page.html.contains("<option value=\"v1\" selected"), "a source from before the choice reads through v1")
            #expect(!page.html.contains("id=\"v2-scopes\""), "a v1 source is not checked for v2 access")
            let csrf = try #require(PageClient.csrf(page))
            let saved = try await admin.post(DashboardPath.sourceSettings(fixture.sourceID), [("csrf", csrf), ("name", "Sandbox"), ("web_url", ""),
                                                                                             ("api_version", "v2")])
            #expect(saved.location == DashboardPath.source(fixture.sourceID) + "?notice=saved")
            let after = try await admin.get(DashboardPath.source(fixture.sourceID))
            #expect(after.html.contains("<option value=\"v2\" selected"))
            #expect(after.html.contains("id=\"v2-scopes\"") && after.html.contains("personio:employments:read"))
            #expect(after.html.contains("id=\"connection-status\"><strong>Connected</strong>"))
            let wrong = try await admin.post(DashboardPath.sourceSettings(fixture.sourceID), [("csrf", csrf), ("name", "Sandbox"), ("web_url", ""),
                                                                                             ("api_version", "v9")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.html.contains("id=\"api_version-error\""))
        }
    }

    @Test func deletingASourceNeedsAnOwnerAndItsNameTyped() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            _ = try await fixture.sync(connection)
            let source = try #require(try await SourceModel.find(fixture.sourceID, on: context.app.db))
            let admin = try await context.signedIn(.admin)
            let adminPage = try await admin.get(DashboardPath.source(fixture.sourceID))
            #expect(!adminPage.html.contains("Delete source"), "only owners see it")
            let refused = try await admin.post(DashboardPath.sourceDelete(fixture.sourceID),
                                               [("csrf", PageClient.csrf(adminPage) ?? ""), ("confirm", source.name)])
            #expect(refused.status == .forbidden)

            let owner = try await context.signedIn(.owner)
            let page = try await owner.get(DashboardPath.source(fixture.sourceID))
            #expect(page.html.contains("Delete this source"))
            let csrf = try #require(PageClient.csrf(page))
            let mistyped = try await owner.post(DashboardPath.sourceDelete(fixture.sourceID), [("csrf", csrf), ("confirm", "personio")])
            #expect(mistyped.status == .unprocessableEntity)
            #expect(mistyped.html.contains("<p class=\"error\" id=\"confirm-error\">The name does not match: type the source&#39;s name exactly"))
            #expect(try await SourceModel.find(fixture.sourceID, on: context.app.db) != nil)

            let deleted = try await owner.post(DashboardPath.sourceDelete(fixture.sourceID), [("csrf", csrf), ("confirm", source.name)])
            #expect(deleted.location == DashboardPath.sources + "?notice=deleted")
            #expect(try await SourceModel.find(fixture.sourceID, on: context.app.db) == nil)
            #expect(try await ConnectionModel.find(connection, on: context.app.db) == nil)
            #expect(try await LinkModel.query(on: context.app.db).filter(\.$connection.$id == connection).count() == 0, "its people are purged")
            let audit = try await AuditEventModel.query(on: context.app.db).filter(\.$action == "source.deleted").first()
            #expect(audit?.actor == "owner@acme.example")
        }
    }

    @Test func aHireIsSentOnceAndAnExistingEmployeeCanBeLinkedWithAButton() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let hr = try await context.signedIn(.admin)
            let query = "?candidate_id=cand-1&first_name=Ada&last_name=Lovelace&email=ada.new%40acme.example&position=Engineer"
            let review = try await hr.get(DashboardPath.newHandoff + query)
            #expect(review.html.contains("Send to Personio") && !review.html.contains("Link to the existing employee"))
            let csrf = try #require(PageClient.csrf(review))
            let form: [(String, String)] = [("csrf", csrf), ("source_id", fixture.sourceID.uuidString), ("candidate_id", "cand-1"),
                                            ("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada.new@acme.example"),
                                            ("position", "Engineer")]
            let sent = try await hr.post(DashboardPath.handoffs, form)
            #expect(sent.location == DashboardPath.handoff("cand-1") + "?notice=sent")
            let page = try await hr.get(DashboardPath.handoff("cand-1"))
            #expect(page.html.contains("id=\"handoff-marker\">Sent to Personio by Admin Person"))
            #expect(!page.html.contains("<form method=\"post\" action=\"/handoffs\""), "no form once sent")
            let employee = try #require(try await HandoffModel.query(on: context.app.db).first()?.personioID)
            #expect(page.html.contains(": employee #\(employee).</p>"), "who, when and which employee")

            // with the source's Personio address (set on the source page), the employee is linked in Personio
            let sourcePage = try await hr.get(DashboardPath.source(fixture.sourceID))
            let saved = try await hr.post(DashboardPath.sourceSettings(fixture.sourceID), [("csrf", try #require(PageClient.csrf(sourcePage))),
                                                                                          ("name", "Sandbox"), ("web_url",
                                                                                                                "https://acme.app.personio.com/")])
            #expect(saved.location == DashboardPath.source(fixture.sourceID) + "?notice=saved")
            let withLink = try await hr.get(DashboardPath.handoff("cand-1"))
            #expect(withLink.html.contains("<a href=\"https://acme.app.personio.com/staff/details/\(employee)\" "
                                           + "rel=\"noopener\">employee #\(employee) in Personio</a>"))
            let wrong = try await hr.post(DashboardPath.sourceSettings(fixture.sourceID), [("csrf", try #require(PageClient.csrf(sourcePage))),
                                                                                          ("name", "Sandbox"), ("web_url", "acme")])
            #expect(wrong.status == .unprocessableEntity && wrong.html.contains("id=\"web_url-error\""))

            // the review link again: the hand-off, not the form; sending again says it went before
            let again = try await hr.get(DashboardPath.newHandoff + query)
            #expect(again.location == DashboardPath.handoff("cand-1") + "?notice=already-sent")
            let repeated = try await hr.post(DashboardPath.handoffs, form)
            #expect(repeated.location == DashboardPath.handoff("cand-1") + "?notice=already-sent")
            let notice = try await hr.get(DashboardPath.handoff("cand-1") + "?notice=already-sent")
            #expect(notice.html.contains("sent to Personio before; a hire is sent only once"))
            #expect(try await HandoffModel.query(on: context.app.db).count() == 1)

            // Personio has the e-mail already: the page offers to link, and linking works
            let existing = try await fixture.hire("Ex", "Isting", startingIn: -30)
            var taken = form
            taken[2] = ("candidate_id", "cand-2")
            taken[5] = ("email", "ex.isting@acme.example")
            let conflict = try await hr.post(DashboardPath.handoffs, taken)
            #expect(conflict.status == .conflict)
            #expect(conflict.html.contains("Link to the existing employee"))
            let linked = try await hr.post(DashboardPath.handoffs, taken + [("link_existing", "true")])
            #expect(linked.location == DashboardPath.handoff("cand-2") + "?notice=sent")
            let row = try #require(try await HandoffModel.query(on: context.app.db).filter(\.$candidateID == "cand-2").first())
            #expect(row.status == .sent && row.personioID == existing)
        }
    }

    @Test func aFullSyncIsOfferedAndThePageSaysWhenTheNextFullListingIsDue() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            let first = try await fixture.sync(connection)
            #expect(first.full)
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.connection(connection))
            #expect(page.html.contains(">Full sync now</button>"))
            // the last full listing was just now: the next is due at the start of the next day (before 12 hours)
            let model = try #require(try await ConnectionModel.find(connection, on: context.app.db))
            let zone = TimeZone(identifier: "Europe/Berlin")!
            let due = try #require(SyncRunner.nextFullListing(after: model.lastFullAt, interval: model.fullInterval, timeZone: zone))
            #expect(page.html.contains("id=\"next-full\">full listing (finds people removed in Personio) due \(Layout.date(due, in: zone))"))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            #expect(due == min(first.startedAt.addingTimeInterval(43_200),
                               calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: first.startedAt))!))

            // "Sync now" follows the schedule (incremental); "Full sync now" reads the whole list
            fixture.clock.advance(by: 120)
            let csrf = try #require(PageClient.csrf(page))
            _ = try await admin.post(DashboardPath.connectionAction(connection, .sync), [("csrf", csrf)])
            fixture.clock.advance(by: 60)
            _ = try await admin.post(DashboardPath.connectionAction(connection, .sync), [("csrf", csrf), ("full", "true")])
            let runs = try await RunModel.query(on: context.app.db).filter(\.$connection.$id == connection).sort(\.$startedAt).all()
            #expect(runs.map(\.full) == [true, false, true])
        }
    }

    @Test func aRunSaysWhomItSkippedAndWhyNeverJustNothingToDo() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.survey)
            _ = try await fixture.sync(connection)
            // someone who starts in a month: the survey preset sends nobody before their start
            let later = try await fixture.hire("Fu", "Ture", startingIn: 30)
            fixture.clock.advance(by: 60)
            let report = try await fixture.sync(connection)
            #expect(report.counts.isEmpty && report.skipped >= 1)
            let run = try #require(try await RunModel.find(report.runID, on: context.app.db))
            #expect(run.skipped == report.skipped)
            let skip = try #require(try await RunOperationModel.query(on: context.app.db).filter(\.$run.$id == report.runID)
                .filter(\.$personioID == later).first())
            #expect(skip.kind == "skip" && skip.outcome == .skipped && !skip.reason.isEmpty)

            // the dashboard says so: never "nothing to do" while people were skipped
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.connection(connection))
            #expect(page.html.contains("<td>nothing sent, \(report.skipped) skipped</td>"), "the runs table")
            let runPage = try await admin.get(DashboardPath.run(report.runID) + "?outcome=skipped")
            #expect(runPage.html.contains(skip.reason.replacingOccurrences(of: "'", with: "&#39;")))
            let failedOnly = try await admin.get(DashboardPath.run(report.runID) + "?outcome=failed")
            #expect(failedOnly.html.contains("No operations with outcome failed.") && !failedOnly.html.contains("up to date"))
            // the preview says the same: how many it would skip, and why
            let connectionPage = try await admin.get(DashboardPath.connection(connection))
            let previewed = try await admin.post(DashboardPath.connectionAction(connection, .preview),
                                                 [("csrf", try #require(PageClient.csrf(connectionPage)))])
            let preview = try await admin.get(try #require(previewed.location))
            #expect(preview.html.contains("Preview (nothing was "
                                          + "changed)") && preview.html.contains("; nothing sent, ") && preview.html.contains(" skipped; "),
                    "\(preview.html)")
            #expect(preview.html.contains(skip.reason.replacingOccurrences(of: "'", with: "&#39;")) && !preview.html.contains("up to date"))
            // and the API
            let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "it", on: context.app.db).token
            let view = try await WorkspaceAPITests().call(context.app, .GET, "\(APIPath.run(report.runID))", token: token)
            #expect(view.json["skipped"] as? Int == report.skipped)
            let kinds = (view.json["operations"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.contains("skip"))
        }
    }

    @Test func absenceKindsArePickedFromPersonioAndAbsencesListedWithTheirStatus() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.absenceKinds(fixture.sourceID))
            #expect(page.status == .ok)
            #expect(page.html.contains("Doctor&#39;s appointment (hours)") && page.html.contains("Sick leave (days)"),
                    "the picker lists Personio's types")
            let csrf = try #require(PageClient.csrf(page))
            let unnamed = try await admin.post(DashboardPath.absenceKinds(fixture.sourceID), [("csrf", csrf), ("kind[]", ""), ("type[]", "2")])
            #expect(unnamed.status == .unprocessableEntity)
            #expect(unnamed.html.contains("a Personio type is chosen without a kind name"))
            let saved = try await admin.post(DashboardPath.absenceKinds(fixture.sourceID), [("csrf", csrf), ("kind[]", "sickness"), ("type[]", "2"),
                                                                                           ("kind[]", ""), ("type[]", "")])
            #expect(saved.status == .seeOther)
            let kinds = try await AbsenceKindModel.query(on: context.app.db).all()
            #expect(kinds.map(\.kind) == ["sickness"] && kinds.first?.unit == "day")

            let token = try await APITokens.create(workspaceID: fixture.workspaceID, name: "tracker", on: context.app.db).token
            let pushed = try await ManagementAPITests().call(context.app, .POST, "\(APIPath.absences)", token: token, [
                "external_id": "tt-77", "employee_id": 10002, "kind": "sickness", "start_date": "2029-06-04", "end_date": "2029-06-05",
            ])
            #expect(pushed.status == .created)
            let list = try await admin.get(DashboardPath.absences)
            #expect(list.html.contains("tt-77") && list.html.contains("written") && list.html.contains("2029-06-04 – 2029-06-05"))
            let failedOnly = try await admin.get(DashboardPath.absences + "?status=failed")
            #expect(!failedOnly.html.contains("tt-77"))

            let viewer = try await context.signedIn(.viewer)
            let readOnly = try await viewer.get(DashboardPath.absenceKinds(fixture.sourceID))
            #expect(!readOnly.html.contains("Save mapping"))
            #expect(try await viewer.post(DashboardPath.absenceKinds(fixture.sourceID), [("csrf", PageClient.csrf(readOnly) ?? ""), ("kind[]", "x"),
                                                                                         ("type[]", "1")])
                .status == .forbidden)
        }
    }

    @Test func thePersonPageExplainsWhatTheNextRunWouldDoAndWhy() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let connection = try await fixture.connection(.timeTracking)
            _ = try await fixture.sync(connection)
            let someone = try #require(try await fixture.links(connection).values.filter { $0.state == .active }.map(\.personioID).min())
            let viewer = try await context.signedIn(.viewer)
            let plain = try await viewer.get(DashboardPath.person(someone))
            #expect(plain.html.contains("Explain the next run"))
            let upToDate = try await viewer.get(DashboardPath.person(someone) + "?explain=1")
            #expect(upToDate.html.contains("Next run would do"))
            #expect(upToDate.html.contains("<td class=\"explain\">nothing"), "\(upToDate.html)")

            // terminated yesterday in Personio: the next run would archive them, with the rule's reason
            let terminated = try await fixture.sandbox.admin(.POST, "/sandbox/employees/\(someone)/terminate",
                                                             ["termination_date": fixture.today(plus: -1)])
            #expect(terminated.status == 200)
            let leaving = try await viewer.get(DashboardPath.person(someone) + "?explain=1")
            #expect(leaving.html.contains("<td class=\"explain\">archived: "), "\(leaving.html)")
            #expect(!leaving.html.contains("archive: archived"), "the verb is not said twice")
            #expect(leaving.html.contains("termination date"))
            #expect(try await fixture.links(connection)[someone]?.state == .active, "explaining changed nothing")
        }
    }

    @Test func thePersonPageShowsEveryConnectionAlsoThoseThatSkipThePersonAndWhy() async throws {
        try await withDashboard { context in
            let fixture = context.fixture
            let clockodo = try await fixture.connection(.timeTracking)
            let survey = try await fixture.connection(.survey)
            let later = try await fixture.hire("Fu", "Ture", startingIn: 3)
            _ = try await fixture.sync(clockodo, full: true)
            _ = try await fixture.sync(survey, full: true)
            #expect(try await fixture.links(clockodo)[later]?.state == .archived, "time tracking sends them archived a week ahead")
            #expect(try await fixture.links(survey)[later] == nil, "the survey skips them")

            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.person(later))
            #expect(page.status == .ok)
            #expect(page.html.contains(">Time tracking</a>") && page.html.contains(">Employee surveys</a>"), "both connections")
            let row = try #require(page.html.components(separatedBy: "<tr>").first { $0.contains(">Employee surveys</a>") })
            #expect(row.contains("not sent"), "\(row)")
            let skip = try #require(try await RunOperationModel.query(on: context.app.db).filter(\.$personioID == later)
                .filter(\.$kind == "skip").first())
            #expect(row.contains(HTML.escape(skip.reason)), "the reason they are skipped: \(row)")

            // someone no connection has heard of is not found
            #expect(try await admin.get(DashboardPath.person(999_999)).status == .notFound)
        }
    }

    @Test func theSourceChecklistShowsWhatItsConnectionsNeed() async throws {
        try await withDashboard { context in
            let admin = try await context.signedIn(.admin)
            let source = context.fixture.sourceID
            // no connection yet: what every preset might use
            #expect(try await admin.get(DashboardPath.source(source)).html.contains("Vacation day balance"))
            _ = try await context.fixture.connection(.survey)
            let page = try await admin.get(DashboardPath.source(source))
            #expect(page.html.contains("<strong>Department</strong> (required)"), "the survey requires the department")
            #expect(!page.html.contains("Vacation day balance"), "no other preset's optional attributes")
            #expect(page.html.contains("<strong>Gender</strong> (optional)"), "what the survey's mapping reads")
        }
    }

    @Test func anOnboardingConnectionSaysWhenPhoneAndContractTypeAreNotSent() async throws {
        try await withDashboard { context in
            let admin = try await context.signedIn(.admin)
            let page = try await admin.get(DashboardPath.newConnection)
            let csrf = try #require(PageClient.csrf(page))
            // the sandbox credential reads the custom attributes: the preset maps them, nothing to say
            let found = try await admin.post(DashboardPath.connections, [("csrf", csrf), ("source_id", context.fixture.sourceID.uuidString),
                                                                         ("preset", "eor-onboarding"), ("name", "WorkMotion")])
            let foundPage = try await admin.get(try #require(found.location))
            #expect(foundPage.status == .ok)
            #expect(!foundPage.html.contains("id=\"mapping-hint\""))
            // a credential that reads neither: the connection page says so, and where to add them
            #expect(try await context.fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(context.fixture.sandbox.clientId)",
                                                            ["readable_attributes": ["first_name", "last_name", "email"]]).status == 200)
            let bare = try await admin.post(DashboardPath.connections, [("csrf", csrf), ("source_id", context.fixture.sourceID.uuidString),
                                                                        ("preset", "eor-onboarding"), ("name", "WorkMotion 2")])
            let barePage = try await admin.get(try #require(bare.location))
            #expect(barePage.html.contains("Not sent: phone number (Telefon) and contract type (Vertragsart)"), "\(barePage.html)")
            #expect(barePage.html.contains("then add phone and contract_type in the <a href=\"/connections/"))
        }
    }

    @Test func datesAreShownInTheWorkspacesTimeZone() {
        let instant = Date(timeIntervalSince1970: 1_795_372_800)
        #expect(Layout.date(instant, in: TimeZone(identifier: "Europe/Berlin")!) == "22 Nov 2026, 19:40")
        #expect(Layout.date(instant, in: TimeZone(identifier: "America/New_York")!) == "22 Nov 2026, 13:40")
        #expect(Layout.date(nil, in: .gmt) == "—")
    }
}

extension DashboardUsers.SignInResult {
    var isSignedIn: Bool { if case .signedIn = self { true } else { false } }
    var isRejected: Bool { if case .rejected = self { true } else { false } }
}
