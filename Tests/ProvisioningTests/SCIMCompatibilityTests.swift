import Foundation
import Provisioning
import SyncEngine
import Testing

/// Each compatibility setting changes what goes to an app that announces PATCH and filters and
/// serves no schemas (so, left alone, it gets everything).
@Suite("SCIM compatibility settings")
struct SCIMCompatibilityTests {
    static let fields = ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@acme.example", "phone": "+49 30 1",
                         "department": "R&D"]
    static let create = TargetOperation(kind: .create, personioID: 5, targetID: nil, fields: fields)
    static let update = TargetOperation(kind: .update, personioID: 5, targetID: "u-1", fields: fields)

    func target(_ compatibility: SCIMCompatibility, _ answers: [(Int, [(String, String)], String)]) -> (SCIMTarget, ScriptedTransport) {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        configuration.compatibility = compatibility
        let transport = ScriptedTransport(answers)
        let provider = SCIMServiceProvider(patch: true, filter: true, bulk: false)
        return (SCIMTarget(client: SCIMClient(configuration: configuration, transport: transport), provider: provider), transport)
    }

    static let none = #"{"totalResults":0,"Resources":[]}"#

    @Test func leftAloneTheAppGetsPatchSearchesAndTheWholeUser() async throws {
        let (target, transport) = target(SCIMCompatibility(), [(200, [], Self.none), (200, [], Self.none), (200, [], Self.none),
                                                               (201, [], #"{"id":"u-1"}"#), (200, [], "{}")])
        #expect(target.updatesWithPatch && target.searches)
        #expect(await target.apply(Self.create, active: true) == .applied(targetID: "u-1", note: nil))
        #expect(await target.apply(Self.update, active: true) == .applied(targetID: "u-1", note: nil))
        #expect(transport.requests.map(\.method) == ["GET", "GET", "GET", "POST", "PATCH"], "three searches, a create, a patch")
        let user = try #require(transport.bodies.first)
        #expect(user["active"] as? Bool == true)
        #expect((user["emails"] as? [[String: Any]])?.first?["type"] as? String == "work")
        #expect((user[SCIMTarget.enterpriseSchema] as? [String: Any])?["department"] as? String == "R&D")
    }

    @Test func putInsteadOfPatchSendsTheWholeUser() async throws {
        let (target, transport) = target(SCIMCompatibility(updateMethod: .put), [(200, [], "{}")])
        #expect(!target.updatesWithPatch)
        #expect(await target.apply(Self.update, active: false) == .applied(targetID: "u-1", note: nil))
        #expect(transport.requests.map(\.method) == ["PUT"])
        #expect(transport.requests.first?.url == "http://scim.invalid/v2/Users/u-1")
        let user = try #require(transport.bodies.first)
        #expect(user["schemas"] as? [String] == [SCIMTarget.userSchema, SCIMTarget.enterpriseSchema] && user["active"] as? Bool == false)
        #expect(user["Operations"] == nil)
    }

    @Test func withoutSearchNobodyIsLookedUpByFilter() async throws {
        let (target, transport) = target(SCIMCompatibility(filter: false), [(201, [], #"{"id":"u-1"}"#)])
        #expect(!target.searches)
        #expect(await target.apply(Self.create, active: true) == .applied(targetID: "u-1", note: nil))
        #expect(transport.requests.map(\.method) == ["POST"])
        #expect(!transport.requests.contains { $0.url.contains("filter=") })
    }

    @Test func withoutTheEnterpriseExtensionOnlyTheCoreUserGoes() async throws {
        let (target, transport) = target(SCIMCompatibility(filter: false, enterpriseExtension: false), [(201, [], #"{"id":"u-1"}"#)])
        _ = await target.apply(Self.create, active: true)
        let user = try #require(transport.bodies.first)
        #expect(user[SCIMTarget.enterpriseSchema] == nil)
        #expect(user["schemas"] as? [String] == [SCIMTarget.userSchema])
        #expect((user["name"] as? [String: Any])?["familyName"] as? String == "Lovelace")
    }

    @Test func plainEmailsCarryNoTypeOrPrimary() async throws {
        let (target, transport) = target(SCIMCompatibility(filter: false, typedEmails: false), [(201, [], #"{"id":"u-1"}"#)])
        _ = await target.apply(Self.create, active: true)
        let user = try #require(transport.bodies.first)
        #expect(user["emails"] as? [[String: String]] == [["value": "ada@acme.example"]])
        #expect(user["phoneNumbers"] as? [[String: String]] == [["value": "+49 30 1"]])
    }

    @Test func booleansAsTextSayTrueAndFalse() async throws {
        let (target, transport) = target(SCIMCompatibility(booleansAsStrings: true), [(200, [], "{}"), (200, [], "{}")])
        _ = await target.apply(Self.update, active: true)
        _ = await target.apply(TargetOperation(kind: .archive, personioID: 5, targetID: "u-1", fields: Self.fields), active: false)
        let values = transport.bodies.compactMap { ($0["Operations"] as? [[String: Any]])?.first?["value"] as? [String: Any] }
        #expect(values.map { $0["active"] as? String } == ["true", "false"])
    }

    @Test func theDirectoryIsReadInPagesOfTheSetSize() async throws {
        let page = { (ids: [String], total: Int) in
            #"{"totalResults":\#(total),"Resources":[\#(ids.map { #"{"id":"\#($0)","userName":"\#($0)@x"}"# }.joined(separator: ","))]}"#
        }
        let (target, transport) = target(SCIMCompatibility(pageSize: 2), [(200, [], page(["a", "b"], 3)), (200, [], page(["c"], 3))])
        #expect(try await target.loadDirectory() == 3)
        #expect(transport.requests.map(\.url) == ["http://scim.invalid/v2/Users?startIndex=1&count=2",
                                                  "http://scim.invalid/v2/Users?startIndex=3&count=2"])
    }

    @Test func aRequestRateSpacesTheRequests() async throws {
        let (target, transport) = target(SCIMCompatibility(requestsPerSecond: 20), Array(repeating: (200, [], "{}"), count: 5))
        let begin = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 { group.addTask { _ = await target.apply(Self.update, active: true) } }
        }
        // five requests sent together: the k-th starts no earlier than k × 50 ms after they were sent
        // (a lower bound, whatever the machine's load: never flaky)
        let starts = transport.startTimes.sorted()
        #expect(starts.count == 5)
        for (k, start) in starts.enumerated() {
            #expect(start - begin >= .milliseconds(50 * k), "request \(k) started after \(start - begin)")
        }
    }

    @Test func presetsBundleSettingsAndWhatIsGivenWins() {
        let basic = SCIMCompatibility.Preset.basic.settings
        #expect(basic == SCIMCompatibility(updateMethod: .put, filter: false, enterpriseExtension: false, typedEmails: false))
        #expect(basic.preset == .basic && SCIMCompatibility().preset == .discovered)
        let mine = SCIMCompatibility(filter: true, pageSize: 50).over(basic)
        #expect(mine == SCIMCompatibility(updateMethod: .put, filter: true, enterpriseExtension: false, typedEmails: false, pageSize: 50))
        #expect(mine.preset == nil)
        #expect(SCIMCompatibility.Preset.putOnly.settings.summary == ["changes sent with PUT"])
        #expect(SCIMCompatibility().summary.isEmpty)
    }

    @Test func aFailedPatchSuggestsPutAndA501IsNotTriedAgain() async throws {
        let (target, transport) = target(SCIMCompatibility(), [(501, [], "")])
        guard case .failed(let failure) = await target.apply(Self.update, active: true) else { Issue.record("expected a failure"); return }
        #expect(transport.requests.count == 1)
        #expect(failure.code == "scim_501")
        #expect(failure.explanation.contains("PUT instead of PATCH") && failure.explanation.contains("put_only"))
        let (putting, _) = self.target(SCIMCompatibility(updateMethod: .put), [(400, [], #"{"detail":"bad"}"#)])
        guard case .failed(let refused) = await putting.apply(Self.update, active: true) else { Issue.record("expected a failure"); return }
        #expect(!refused.explanation.contains("PUT instead of PATCH"), "PUT is already in use")
    }

    @Test func supervisorsNewToTheAppAreSentBeforeTheirPeople() {
        func person(_ id: Int, _ email: String, boss: String? = nil, linked: Bool = false) -> TargetOperation {
            var fields = ["email": email]
            fields["supervisor_email"] = boss
            return TargetOperation(kind: linked ? .update : .create, personioID: id, targetID: linked ? "u-\(id)" : nil, fields: fields)
        }
        let batch = [person(1, "c@x", boss: "b@x"), person(2, "b@x", boss: "a@x"), person(3, "a@x"), person(4, "d@x", boss: "z@x"),
                     person(5, "e@x", boss: "a@x", linked: true), person(6, "self@x", boss: "SELF@x")]
        #expect(SCIMTarget.waves(batch) == [[2, 3, 4, 5], [1], [0]])
        // a circle goes together at the end; an empty batch has no waves
        #expect(SCIMTarget.waves([person(1, "a@x", boss: "b@x"), person(2, "b@x", boss: "a@x"), person(3, "c@x")]) == [[2], [0, 1]])
        #expect(SCIMTarget.waves([]).isEmpty)
    }

    @Test func resourceTypesWithoutTheEnterpriseExtensionMeanNoneIsSent() async throws {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let types = #"{"Resources":[{"id":"User","endpoint":"/Users","schema":"urn:ietf:params:scim:schemas:core:2.0:User"}]}"#
        let transport = ScriptedTransport([
            (200, [], #"{"patch":{"supported":true},"filter":{"supported":false}}"#), (200, [], Self.none), (404, [], ""),
            (200, [], types), (201, [], #"{"id":"u-1"}"#),
        ])
        let target = try await SCIMTarget.connect(SCIMClient(configuration: configuration, transport: transport))
        #expect(target.provider.extensions == [] && !target.provider.takesEnterprise)
        #expect(target.omittedAttributes == [SCIMTarget.enterpriseSchema])
        #expect(transport.requests.map(\.url).last == "http://scim.invalid/v2/ResourceTypes")
        _ = await target.apply(Self.create, active: true)
        let user = try #require(transport.bodies.first)
        #expect(user[SCIMTarget.enterpriseSchema] == nil && user["schemas"] as? [String] == [SCIMTarget.userSchema])
        // listed as an extension: sent (and an app without /ResourceTypes gets it too)
        let listed = #"{"Resources":[{"schema":"urn:ietf:params:scim:schemas:core:2.0:User","schemaExtensions":[{"schema":"\#(SCIMTarget.enterpriseSchema)"}]}]}"#
        #expect(SCIMServiceProvider(patch: true, filter: true, bulk: false, extensions: ["x"]).takesEnterprise == false)
        let extensions = Data(listed.utf8)
        #expect(SCIMServiceProvider(patch: true, filter: true, bulk: false, extensions: SCIMUserResourceType.extensions(extensions))
            .takesEnterprise)
        #expect(SCIMServiceProvider(patch: true, filter: true, bulk: false).takesEnterprise)
    }

    @Test func anExternalIdTheAppDeclaresReadOnlyIsNotSearchedBy() async throws {
        var configuration = SCIMConfiguration(baseURL: "http://scim.invalid/v2", token: "t")
        configuration.retryDelay = .milliseconds(1)
        let transport = ScriptedTransport([(200, [], Self.none), (200, [], Self.none), (201, [], #"{"id":"u-1"}"#)])
        let declared = SCIMDeclaredAttributes(paths: ["userName", "emails", "emails.value", "active"], readOnly: ["externalId"])
        let target = SCIMTarget(client: SCIMClient(configuration: configuration, transport: transport),
                                provider: SCIMServiceProvider(patch: true, filter: true, bulk: false, declared: declared))
        #expect(!target.provider.keepsExternalId)
        #expect(await target.apply(Self.create, active: true) == .applied(targetID: "u-1", note: nil))
        let searches = transport.requests.filter { $0.url.contains("filter=") }.map(\.url)
        #expect(searches.count == 2 && !searches.contains { $0.contains("filter=externalId") }, "\(searches)")
    }

    @Test func anAnswerAboutAnotherUserFailsThePersonAndLinksNothing() async throws {
        // a create answered with another person's user
        var (target, _) = target(SCIMCompatibility(filter: false), [(201, [], #"{"id":"u-9","externalId":"999"}"#)])
        guard case .failed(let foreign) = await target.apply(Self.create, active: true) else { Issue.record("expected a failure"); return }
        #expect(foreign.code == "scim_wrong_user" && foreign.explanation.contains("999"))
        // an update answered with another user's id
        (target, _) = self.target(SCIMCompatibility(updateMethod: .put), [(200, [], #"{"id":"u-2","externalId":"5"}"#)])
        guard case .failed(let moved) = await target.apply(Self.update, active: true) else { Issue.record("expected a failure"); return }
        #expect(moved.code == "scim_wrong_user" && moved.explanation.contains("u-2"))
        // an answer about the same user (or with no body) is fine
        (target, _) = self.target(SCIMCompatibility(updateMethod: .put), [(200, [], #"{"id":"u-1","externalId":"5"}"#), (204, [], "")])
        #expect(await target.apply(Self.update, active: true) == .applied(targetID: "u-1", note: nil))
        #expect(await target.apply(Self.update, active: true) == .applied(targetID: "u-1", note: nil))
        // a create answered with a user the app's directory shows as someone else's
        let everyone = #"{"totalResults":1,"Resources":[{"id":"u-7","externalId":"7","userName":"x@acme.example"}]}"#
        (target, _) = self.target(SCIMCompatibility(filter: false), [(200, [], everyone), (201, [], #"{"id":"u-7"}"#)])
        #expect(try await target.loadDirectory() == 1)
        guard case .failed(let taken) = await target.apply(Self.create, active: true) else { Issue.record("expected a failure"); return }
        #expect(taken.code == "scim_wrong_user" && taken.explanation.contains("belongs to Personio person 7"))
    }
}
