import AsyncHTTPClient
import Foundation
import Provisioning
import SyncEngine
import TestSupport
import Testing

@Suite("SCIM target against a real SCIM 2.0 server", .serialized,
       .enabled(if: SCIMServerHarness.available, Comment(rawValue: SCIMServerHarness.skipReason)))
struct SCIMTargetTests {
    func withTarget(_ body: (SCIMTarget, SCIMServerHarness) async throws -> Void, configure: (inout SCIMConfiguration) -> Void = { _ in })
        async throws {
        try await withSCIMServer { server in
            var configuration = SCIMConfiguration(baseURL: server.baseURL + "/", token: server.token)
            configure(&configuration)
            let client = SCIMClient(configuration: configuration, transport: AsyncHTTPClientSCIMTransport(client: server.http))
            let target = try await SCIMTarget.connect(client)
            try await body(target, server)
        }
    }

    static let ada: [String: String] = ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example",
                                        "department": "Engineering", "position": "Engineer"]

    func applied(_ outcome: TargetOutcome) throws -> (id: String?, note: String?) {
        guard case .applied(let id, let note) = outcome else { throw HarnessError("expected applied, got \(outcome)") }
        return (id, note)
    }

    @Test func createsUpdatesArchivesRestoresAndDeletesAUser() async throws {
        try await withTarget { target, server in
            #expect(target.provider.patch && target.provider.filter)
            let created = try applied(await target.apply(TargetOperation(kind: .create, personioID: 101, targetID: nil, fields: Self.ada),
                                                         active: true))
            let id = try #require(created.id)
            var user = try #require(try await server.user(id))
            #expect(user["externalId"] as? String == "101")
            #expect(user["userName"] as? String == "ada@acme.example")
            #expect(user["active"] as? Bool == true)
            #expect(user["title"] as? String == "Engineer")
            #expect((user["name"] as? [String: Any])?["familyName"] as? String == "Lovelace")
            var enterprise = user[SCIMTarget.enterpriseSchema] as? [String: Any]
            #expect(enterprise?["department"] as? String == "Engineering")
            #expect(enterprise?["employeeNumber"] as? String == "101")

            // a department change
            var fields = Self.ada
            fields["department"] = "Research"
            _ = try applied(await target.apply(TargetOperation(kind: .update, personioID: 101, targetID: id, fields: fields,
                                                               changedFields: ["department"]), active: true))
            user = try #require(try await server.user(id))
            enterprise = user[SCIMTarget.enterpriseSchema] as? [String: Any]
            #expect(enterprise?["department"] as? String == "Research")

            // archive and restore flip `active`
            _ = try applied(await target.apply(TargetOperation(kind: .archive, personioID: 101, targetID: id, fields: fields), active: false))
            #expect(try await server.user(id)?["active"] as? Bool == false)
            _ = try applied(await target.apply(TargetOperation(kind: .restore, personioID: 101, targetID: id, fields: fields), active: true))
            #expect(try await server.user(id)?["active"] as? Bool == true)

            // delete removes the user; deleting again is not an error
            let deleted = try applied(await target.apply(TargetOperation(kind: .delete, personioID: 101, targetID: id, fields: [:]), active: false))
            #expect(deleted.id == nil)
            #expect(try await server.user(id) == nil)
            let again = try applied(await target.apply(TargetOperation(kind: .delete, personioID: 101, targetID: id, fields: [:]), active: false))
            #expect(again.note == "already gone from the app")
        }
    }

    @Test func aUserAlreadyInTheAppIsLinkedByEmailNotDuplicated() async throws {
        try await withTarget { target, server in
            let existing = try await server.createUser(["userName": "ADA-handmade", "emails": [["value": "ada@acme.example", "type": "work"]]])
            let outcome = try applied(await target.apply(TargetOperation(kind: .create, personioID: 101, targetID: nil, fields: Self.ada),
                                                         active: true))
            #expect(outcome.id == existing)
            #expect(outcome.note?.contains("emails.value") == true)
            #expect(try await server.users(filter: "emails.value eq \"ada@acme.example\"").count == 1)
            #expect(try await server.user(existing)?["externalId"] as? String == "101")

            // a run that died after the app's write and is repeated links by externalId instead of creating again
            let repeated = try applied(await target.apply(TargetOperation(kind: .create, personioID: 101, targetID: nil, fields: Self.ada),
                                                          active: true))
            #expect(repeated.id == existing)
            #expect(repeated.note?.contains("externalId") == true)
        }
    }

    @Test func aConflictWithAnotherPersonsUserIsAnExplainedRetryableFailure() async throws {
        try await withTarget { target, server in
            // the e-mail belongs to a user of another Personio person: neither linked nor overwritten
            let other = try await server.createUser(["userName": "ada@acme.example", "externalId": "999"])
            let outcome = await target.apply(TargetOperation(kind: .create, personioID: 101, targetID: nil, fields: Self.ada), active: true)
            guard case .failed(let failure) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
            #expect(failure.code == "scim_409_uniqueness")
            #expect(failure.retryable)
            #expect(failure.explanation.contains("userName or e-mail"))
            #expect(try await server.user(other)?["externalId"] as? String == "999")
        }
    }

    @Test func theManagerReferencesTheSupervisorsUser() async throws {
        try await withTarget { target, server in
            let boss = try applied(await target.apply(TargetOperation(kind: .create, personioID: 1, targetID: nil, fields: [
                "first_name": "Grace", "last_name": "Hopper", "email": "grace@acme.example",
            ]), active: true)).id
            var fields = Self.ada
            fields["supervisor_email"] = "grace@acme.example"
            let id = try #require(try applied(await target.apply(TargetOperation(kind: .create, personioID: 101, targetID: nil, fields: fields),
                                                                 active: true)).id)
            let manager = (try await server.user(id)?[SCIMTarget.enterpriseSchema] as? [String: Any])?["manager"] as? [String: Any]
            #expect(manager?["value"] as? String == boss)
        }
    }

    @Test func aUserRemovedInTheAppIsMadeAgainOnTheNextUpdate() async throws {
        try await withTarget { target, server in
            let id = try #require(try applied(await target.apply(TargetOperation(kind: .create, personioID: 7, targetID: nil, fields: Self.ada),
                                                                 active: true)).id)
            _ = try await server.request(.DELETE, "/Users/\(id)")
            let outcome = try applied(await target.apply(TargetOperation(kind: .update, personioID: 7, targetID: id, fields: Self.ada),
                                                         active: true))
            let newID = try #require(outcome.id)
            #expect(newID != id)
            #expect(try await server.user(newID)?["externalId"] as? String == "7")
        }
    }

    @Test func withoutPatchSupportAnUpdateReplacesTheUser() async throws {
        try await withSCIMServer { server in
            let client = SCIMClient(configuration: SCIMConfiguration(baseURL: server.baseURL, token: server.token),
                                    transport: AsyncHTTPClientSCIMTransport(client: server.http))
            let target = SCIMTarget(client: client, provider: SCIMServiceProvider(patch: false, filter: true, bulk: false))
            let id = try #require(try applied(await target.apply(TargetOperation(kind: .create, personioID: 9, targetID: nil, fields: Self.ada),
                                                                 active: true)).id)
            var fields = Self.ada
            fields["last_name"] = "King"
            _ = try applied(await target.apply(TargetOperation(kind: .update, personioID: 9, targetID: id, fields: fields), active: true))
            let user = try #require(try await server.user(id))
            #expect((user["name"] as? [String: Any])?["familyName"] as? String == "King")
            #expect(user["externalId"] as? String == "9")
        }
    }

    @Test func neverDeletingDeactivatesInstead() async throws {
        try await withTarget({ target, server in
            let id = try #require(try applied(await target.apply(TargetOperation(kind: .create, personioID: 8, targetID: nil, fields: Self.ada),
                                                                 active: true)).id)
            let outcome = try applied(await target.apply(TargetOperation(kind: .delete, personioID: 8, targetID: id, fields: Self.ada),
                                                         active: false))
            #expect(outcome.note?.contains("never deletes") == true)
            #expect(try await server.user(id)?["active"] as? Bool == false)
        }, configure: { $0.deletes = false })
    }

    @Test func aWrongTokenOrAWrongURLIsExplainedAtDiscovery() async throws {
        try await withSCIMServer { server in
            let wrongToken = SCIMClient(configuration: SCIMConfiguration(baseURL: server.baseURL, token: "nope"),
                                        transport: AsyncHTTPClientSCIMTransport(client: server.http))
            await #expect(throws: TargetFailure.self) { try await wrongToken.discover() }
            do { _ = try await wrongToken.discover() } catch let failure as TargetFailure {
                #expect(failure.code == "scim_401")
                #expect(failure.explanation.contains("new SCIM token"))
            }
            var configuration = SCIMConfiguration(baseURL: "http://127.0.0.1:1/scim/v2", token: "t")
            configuration.maxAttempts = 1
            configuration.timeout = .seconds(1)
            let unreachable = SCIMClient(configuration: configuration, transport: AsyncHTTPClientSCIMTransport(client: server.http))
            do { _ = try await unreachable.discover(); Issue.record("expected a failure") } catch let failure as TargetFailure {
                #expect(failure.code == "unreachable")
            }
        }
    }

    @Test func withTheDirectoryReadUpFrontNewPeopleAreCorrelatedWithoutASearchEach() async throws {
        try await withSCIMServer { server in
            let byExternal = try await server.createUser(["userName": "old-account", "externalId": "201"])
            let byEmail = try await server.createUser(["userName": "bo@acme.example"])
            _ = try await server.createUser(["userName": "cy@acme.example", "externalId": "someone-else"])
            let transport = CountingSCIMTransport(AsyncHTTPClientSCIMTransport(client: server.http))
            let target = try await SCIMTarget.connect(SCIMClient(configuration: SCIMConfiguration(baseURL: server.baseURL, token: server.token),
                                                                 transport: transport))
            #expect(try await target.loadDirectory(pageSize: 2) == 3, "read in pages of two")
            let before = transport.searches

            func create(_ id: Int, _ email: String) async -> TargetOutcome {
                await target.apply(TargetOperation(kind: .create, personioID: id, targetID: nil, fields: [
                    "first_name": "P\(id)", "last_name": "Q", "email": email,
                ]), active: true)
            }
            #expect(try applied(await create(201, "al@acme.example")).id == byExternal)
            #expect(try applied(await create(202, "bo@acme.example")).id == byEmail)
            // the e-mail belongs to another person's user: not linked; the create conflicts and is explained
            guard case .failed(let failure) = await create(203, "cy@acme.example") else { Issue.record("expected a conflict"); return }
            #expect(failure.code == "scim_409_uniqueness")
            let fresh = try applied(await create(204, "di@acme.example"))
            #expect(fresh.id != nil && fresh.note == nil)
            // only the conflict searched the app (to be sure after the 409); the others used the directory
            #expect(transport.searches - before == 3, "externalId, userName and e-mail after the 409")
        }
    }
}

/// Answers from a script, recording what was asked: for what a real server will not do on demand
/// (rate limits, garbage).
final class ScriptedTransport: SCIMTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [(status: Int, headers: [(String, String)], body: String)]
    private(set) var requests: [(method: String, url: String)] = []
    /// The JSON bodies sent, in order.
    private(set) var bodies: [[String: Any]] = []
    /// When each request arrived.
    private(set) var startTimes: [ContinuousClock.Instant] = []

    init(_ answers: [(Int, [(String, String)], String)]) {
        self.answers = answers.map { (status: $0.0, headers: $0.1, body: $0.2) }
    }

    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        lock.withLock {
            requests.append((method, url))
            startTimes.append(.now)
            if let body, let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] { bodies.append(json) }
            let next = answers.isEmpty ? (status: 500, headers: [], body: "") : answers.removeFirst()
            return (next.status, next.headers, Array(next.body.utf8))
        }
    }
}

@Suite("SCIM client: retries and garbage")
struct SCIMClientBehaviourTests {
    static let provider = SCIMServiceProvider(patch: true, filter: false, bulk: false)
    static let person = TargetOperation(kind: .create, personioID: 5, targetID: nil, fields: ["first_name": "A", "email": "a@b.example"])

    func target(_ transport: ScriptedTransport) -> SCIMTarget {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        return SCIMTarget(client: SCIMClient(configuration: configuration, transport: transport), provider: Self.provider)
    }

    @Test func a429WithRetryAfterAndA5xxAreRetriedThenSucceed() async throws {
        let transport = ScriptedTransport([
            (429, [("Retry-After", "0")], ""), (503, [], "busy"), (201, [], #"{"id":"u-1","userName":"a@b.example"}"#),
        ])
        let outcome = await target(transport).apply(Self.person, active: true)
        #expect(outcome == .applied(targetID: "u-1", note: nil))
        #expect(transport.requests.map(\.method) == ["POST", "POST", "POST"])
    }

    @Test func aRetryAfterLongerThanARunAllowsFailsThePersonForLater() async throws {
        let transport = ScriptedTransport([(429, [("Retry-After", "3600")], "")])
        guard case .failed(let failure) = await target(transport).apply(Self.person, active: true) else { Issue.record("expected a failure"); return }
        #expect(failure.code == "scim_429" && failure.retryable)
        #expect(transport.requests.count == 1)
    }

    @Test func aUniqueConstraint500OnCreateIsTreatedAsAConflictAndLinked() async throws {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let failure = "sqlalchemy.exc.IntegrityError: UNIQUE constraint failed: users.user_name"
        let nobody = #"{"totalResults":0,"Resources":[]}"#
        // nobody found by externalId, userName or e-mail; the create fails on the app's unique index; found now
        let transport = ScriptedTransport(Array(repeating: (200, [], nobody), count: 3)
                                          + Array(repeating: (500, [], failure), count: configuration.maxAttempts) + [
            (200, [], #"{"totalResults":1,"Resources":[{"id":"u-9","userName":"a@b.example"}]}"#),
            (200, [], #"{"id":"u-9"}"#),
        ])
        let target = SCIMTarget(client: SCIMClient(configuration: configuration, transport: transport),
                                provider: SCIMServiceProvider(patch: true, filter: true, bulk: false))
        let outcome = await target.apply(Self.person, active: true)
        #expect(outcome == .applied(targetID: "u-9", note: "linked after a conflict on create (matched by externalId)"))
        #expect(transport.requests.last?.method == "PATCH")
    }

    @Test func aRedirectIsExplainedWithWhereItPointsAndNotFollowed() async throws {
        let transport = ScriptedTransport([(302, [("Location", "https://other.example/scim/v2/Users")], "")])
        guard case .failed(let failure) = await target(transport).apply(Self.person, active: true) else { Issue.record("expected a failure"); return }
        #expect(failure.code == "scim_302")
        #expect(failure.explanation.contains("redirected to https://other.example/scim/v2/Users while creating the user"))
        #expect(failure.explanation.contains("does not follow redirects"))
        #expect(transport.requests.count == 1, "the redirect was not followed")
    }

    @Test func anErrorPageWhileConnectingSaysTheAppFailedNotThatAPersonIsRetried() async throws {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let page = "<html><body>Internal Server Error</body></html>"
        let transport = ScriptedTransport([(200, [], #"{"patch":{"supported":true},"filter":{"supported":true}}"#)]
                                          + Array(repeating: (500, [], page), count: 10))
        do {
            _ = try await SCIMClient(configuration: configuration, transport: transport).discover()
            Issue.record("expected a failure")
        } catch {
            #expect(error.explanation == "The app failed listing users (HTTP 500, not a SCIM error body); check "
                                         + "the app's SCIM endpoint and try again.")
        }
    }

    @Test func garbageFromTheAppIsAPerPersonErrorNeverACrash() async throws {
        // 10,000 nested arrays in an object, as a hostile app could answer
        let deep = #"{"id":"#+String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        for body in ["<html>oops</html>", #"{"userName":"no id here"}"#, "", deep] {
            let transport = ScriptedTransport([(201, [], body)])
            guard case .failed(let failure) = await target(transport).apply(Self.person, active: true) else {
                Issue.record("expected a failure for \(body)"); continue
            }
            #expect(failure.code == "bad_response")
            #expect(failure.explanation.contains("externalId"))
        }
        let transport = ScriptedTransport([(400, [], "not json at all")])
        guard case .failed(let failure) = await target(transport).apply(Self.person, active: true) else { Issue.record("expected a failure"); return }
        #expect(failure.code == "scim_400")
        #expect(failure.explanation.contains("not a SCIM error body"))
    }
}

/// An app whose `/Schemas` declares less than RFC 7643's full User: Rollcall sends only what it declares.
@Suite("SCIM resources built from what the app declares")
struct SCIMDeclaredAttributesTests {
    static let strictSchemas = #"""
    {"totalResults":1,"Resources":[{"id":"urn:ietf:params:scim:schemas:core:2.0:User","attributes":[
      {"name":"userName","mutability":"readWrite"},{"name":"active","mutability":"readWrite"},
      {"name":"name","mutability":"readWrite","subAttributes":[{"name":"givenName"},{"name":"familyName"}]},
      {"name":"emails","mutability":"readWrite","subAttributes":[{"name":"value"}]},
      {"name":"id","mutability":"readOnly"}]}]}
    """#

    /// A target discovered from an app that answers `/Schemas` with `schemas` (status and body), then creates `u-1`.
    func connect(schemas: (Int, String)) async throws -> (SCIMTarget, ScriptedTransport) {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let transport = ScriptedTransport([
            (200, [], #"{"patch":{"supported":true},"filter":{"supported":false}}"#),
            (200, [], #"{"totalResults":0,"Resources":[]}"#),
            (schemas.0, [], schemas.1),
            (404, [], ""),
            (201, [], #"{"id":"u-1"}"#),
        ])
        return (try await SCIMTarget.connect(SCIMClient(configuration: configuration, transport: transport)), transport)
    }

    @Test func onlyDeclaredAttributesAndSubAttributesAreSent() async throws {
        let (target, transport) = try await connect(schemas: (200, Self.strictSchemas))
        #expect(target.provider.declared?.paths.contains("emails.value") == true)
        #expect(target.provider.declared?.readOnly == ["id"])
        let person = TargetOperation(kind: .create, personioID: 5, targetID: nil,
                                     fields: ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example", "phone": "+49 1",
                                              "position": "Engineer", "department": "R&D"])
        #expect(await target.apply(person, active: true) == .applied(targetID: "u-1", note: nil))
        let sent = try #require(transport.bodies.last)
        #expect(sent["emails"] as? [[String: String]] == [["value": "ada@acme.example"]], "no type, no primary")
        #expect((sent["name"] as? [String: String]) == ["givenName": "Ada", "familyName": "Lovelace"], "no formatted")
        #expect(sent["phoneNumbers"] == nil && sent["title"] == nil && sent["displayName"] == nil)
        #expect(sent[SCIMTarget.enterpriseSchema] == nil)
        #expect(sent["schemas"] as? [String] == [SCIMTarget.userSchema])
        #expect(sent["userName"] as? String == "ada@acme.example" && sent["active"] as? Bool == true && sent["externalId"] as? String == "5")
        #expect(target.omittedAttributes.contains("emails.type") && target.omittedAttributes.contains(SCIMTarget.enterpriseSchema))
    }

    @Test func anAppWithoutSchemasGetsTheWholeResource() async throws {
        let (target, transport) = try await connect(schemas: (404, "not here"))
        #expect(target.provider.declared == nil)
        #expect(target.omittedAttributes.isEmpty)
        let person = TargetOperation(kind: .create, personioID: 6, targetID: nil, fields: ["email": "b@acme.example", "department": "R&D"])
        _ = await target.apply(person, active: true)
        let sent = try #require(transport.bodies.last)
        let email = try #require((sent["emails"] as? [[String: Any]])?.first)
        #expect(Set(email.keys) == ["value", "type", "primary"] && email["type"] as? String == "work")
        #expect((sent[SCIMTarget.enterpriseSchema] as? [String: Any])?["department"] as? String == "R&D")
    }

    @Test func anAppThatIgnoresFiltersIsTreatedAsOneWithout() async throws {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let everyone = #"{"totalResults":2,"Resources":[{"id":"a","userName":"x"},{"id":"b","userName":"y"}]}"#
        for (probe, honours) in [(everyone, false), (#"{"totalResults":0,"Resources":[]}"#, true)] {
            let transport = ScriptedTransport([
                (200, [], #"{"patch":{"supported":true},"filter":{"supported":true}}"#),
                (200, [], everyone),
                (200, [], probe),
                (404, [], ""),
            ])
            let provider = try await SCIMClient(configuration: configuration, transport: transport).discover()
            #expect(provider.filter == honours)
            #expect(transport.requests[2].url.contains("filter=externalId%20eq%20%22rollcall-filter-probe-"), "\(transport.requests[2].url)")
        }
    }
}
