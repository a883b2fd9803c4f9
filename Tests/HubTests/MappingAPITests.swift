import Fluent
import Foundation
@testable import Hub
@testable import PersonioAPI
import SyncEngine
import TestSupport
import Testing
import Vapor
import VaporTesting

/// The mapping editor's API (WorkMotion: phone and contract type travel; Back: the admin decides
/// which data is sent): fields added, removed and renamed, custom attributes by their label, every
/// mistake a 422 naming its place, changes re-sent and audited, and a preview for a real person.
@Suite("Editing a connection's mapping", .serialized)
struct MappingAPITests {
    let api = ManagementAPITests()

    func withAPI(_ database: HubConfiguration.Database, _ body: (SyncFixture, String) async throws -> Void) async throws {
        try await api.withAPI(database, employees: 30, seed: 11, body)
    }

    func fields(_ reply: ManagementAPITests.Reply) -> [[String: Any]] { reply.json["mapping"] as? [[String: Any]] ?? [] }

    @Test("the onboarding preset maps phone and contract type from the custom attributes labelled like them",
          arguments: TestDatabases.all)
    func onboardingFindsPhoneAndContractType(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let created = try await api.call(fixture.app, .POST, "\(APIPath.connections)", token: token,
                                             ["source_id": fixture.sourceID.uuidString, "preset": "eor-onboarding"])
            #expect(created.status == .created)
            let mapping = fields(created)
            #expect(mapping.contains { $0["field"] as? String == "phone" && $0["from"] as? String == "dynamic_1001" })
            #expect(mapping.contains { $0["field"] as? String == "contract_type" && $0["from"] as? String == "dynamic_1002" })
            let notes = created.json["notes"] as? [String] ?? []
            #expect(notes.contains("phone is mapped from ‘Phone’ (dynamic_1001)."), "\(notes)")

            // a credential that reads neither: the connection is made without them, and says so
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": ["first_name", "last_name", "email", "position"]]).status == 200)
            let bare = try await api.call(fixture.app, .POST, "\(APIPath.connections)", token: token,
                                          ["source_id": fixture.sourceID.uuidString, "preset": "eor-onboarding"])
            #expect(bare.status == .created)
            #expect(!fields(bare).contains { $0["field"] as? String == "phone" })
            let said = (bare.json["notes"] as? [String] ?? []).joined(separator: " ")
            #expect(said.contains("labelled like a phone number (Telefon)") && said.contains("contract type (Vertragsart)"), "\(said)")
        }
    }

    @Test("every mistake in a mapping is a 422 naming its place", arguments: TestDatabases.all)
    func mistakesAreNamed(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let connection = try await fixture.connection(.timeTracking)
            let path = "\(APIPath.connection(connection))"
            for (mapping, field) in [
                (["field": "phone"] as Any, "mapping"),
                ([["field": "phone"]], "mapping[0]"),
                ([["field": "phone", "from": "email", "value": "x"]], "mapping[0]"),
                ([["field": "", "from": "email"]], "mapping[0].field"),
                ([["field": "has space", "from": "email"]], "mapping[0].field"),
                ([["field": "phone", "from": "Shoe size"]], "mapping[0].from"),
                ([["field": "phone", "from": "email", "colour": "red"]], "mapping[0].colour"),
                ([["field": "a", "from": "email"], ["field": "a", "from": "email"]], "mapping[1].field"),
                ([["field": "a", "from": "email", "transforms": ["shout"]]], "mapping[0].transforms[0]"),
                ([["field": "a", "from": "hire_date", "transforms": [["date_format": "hh:mm"]]]], "mapping[0].transforms[0].date_format"),
                ([["field": "a", "from": "email", "transforms": [["map": ["x": 1]]]]], "mapping[0].transforms[0].map.x"),
                ([["field": "a", "join": []]], "mapping[0].join"),
                ([["field": "a", "from": "email", "separator": "-"]], "mapping[0].separator"),
            ] as [(Any, String)] {
                let reply = try await api.call(fixture.app, .PATCH, path, token: token, ["mapping": mapping])
                #expect(reply.status == .unprocessableEntity, "\(mapping)")
                #expect(reply.error?["field"] as? String == field, "\(mapping): \(reply.json)")
            }
            // a mistake changes nothing
            let model = try #require(try await ConnectionModel.find(connection, on: fixture.app.db))
            #expect(try model.connectionRules().mapping == Preset.timeTracking.mapping)

            // an attribute the credential does not read: where to tick it
            #expect(try await fixture.sandbox.admin(.PATCH, "/sandbox/credentials/\(fixture.sandbox.clientId)",
                                                    ["readable_attributes": ["first_name", "last_name", "email", "department", "position",
                                                                             "status", "hire_date", "dynamic_1001"]]).status == 200)
            let hidden = try await api.call(fixture.app, .PATCH, path, token: token,
                                            ["mapping": [["field": "contract", "from": "dynamic_1002"]]])
            #expect(hidden.status == .unprocessableEntity)
            #expect(hidden.error?["code"] as? String == "attribute_not_shared")
            #expect(hidden.error?["field"] as? String == "mapping[0].from")
            #expect((hidden.error?["message"] as? String)?.contains("tick ‘dynamic_1002’") == true, "\(hidden.json)")
        }
    }

    @Test("a mapping change is audited and re-sends the people it changes on the next run", arguments: TestDatabases.all)
    func changesAreResentAndAudited(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let connection = try await fixture.connection(.timeTracking)
            let first = try await fixture.sync(connection, full: true)
            let linked = try await fixture.links(connection).count
            #expect(first.counts["create"] == linked && linked > 0, "\(first.counts)")
            fixture.clock.advance(by: 60)
            #expect(try await fixture.sync(connection).counts.isEmpty, "nothing changed in Personio")

            // phone by its label; position removed; department renamed to team_name
            var mapping = MappingInput.json(Preset.timeTracking.mapping).array ?? []
            mapping.removeAll { $0["field"]?.string == "position" || $0["field"]?.string == "department" }
            let sent: [Any] = try mapping.map { try JSONSerialization.jsonObject(with: JSONEncoder().encode($0)) }
                + [["field": "phone", "from": "Phone", "transforms": ["trim"]], ["field": "team_name", "from": "department"]]
            let changed = try await api.call(fixture.app, .PATCH, "\(APIPath.connection(connection))", token: token, ["mapping": sent])
            #expect(changed.status == .ok, "\(changed.json)")
            #expect(fields(changed).contains { $0["field"] as? String == "phone" && $0["from"] as? String == "dynamic_1001" })
            let audit = try await AuditEventModel.query(on: fixture.app.db).filter(\.$action == "connection.updated").all().map(\.detail)
            #expect(audit == ["Time tracking: mapping: added phone from dynamic_1001, added team_name from department, removed department, "
                              + "removed position"], "\(audit)")

            // the next run reads everyone (it would be incremental otherwise) and updates each person
            fixture.clock.advance(by: 60)
            let after = try await fixture.sync(connection)
            #expect(after.full)
            #expect(after.counts["update", default: 0] == linked, "\(after.counts)")
            let someone = try #require(try await fixture.links(connection).values.first { $0.state == .active })
            let change = try #require(try await fixture.changes(connection, of: someone.personioID).last)
            let sentFields = try JSONDecoder().decode([String: String].self, from: Data(change.fields.utf8))
            #expect(sentFields["phone"]?.hasPrefix("+49 ") == true, "\(sentFields)")
            #expect(sentFields["position"] == nil && sentFields["team_name"] != nil)

            // sending the same mapping again changes nothing and is not audited
            let again = try await api.call(fixture.app, .PATCH, "\(APIPath.connection(connection))", token: token, ["mapping": fields(changed)])
            #expect(again.status == .ok)
            #expect(try await AuditEventModel.query(on: fixture.app.db).filter(\.$action == "connection.updated").count() == 1)
        }
    }

    @Test("a mapping is previewed for a real person before it is saved", arguments: TestDatabases.all)
    func preview(_ database: HubConfiguration.Database) async throws {
        try await withAPI(database) { fixture, token in
            let connection = try await fixture.connection(.timeTracking)
            let path = "\(APIPath.connectionMappingPreview(connection))"
            _ = try await fixture.sync(connection, full: true)
            let linked = try #require(try await fixture.links(connection).values.sorted { $0.personioID < $1.personioID }.last)
            let id = linked.personioID
            let email = try #require(try JSONDecoder().decode([String: String].self, from: Data((linked.fields ?? "{}").utf8))["email"])
            let preview = try await api.call(fixture.app, .POST, path, token: token,
                                             ["personio_id": id, "mapping": [["field": "phone", "from": "Phone"], ["field": "mail", "from": "email",
                                                                                                                 "transforms": ["uppercase"]]]])
            #expect(preview.status == .ok, "\(preview.json)")
            #expect(preview.json["personio_id"] as? Int == id)
            let fields = preview.json["fields"] as? [String: String] ?? [:]
            #expect(fields["phone"]?.hasPrefix("+49 ") == true)
            #expect(fields["mail"] == email.uppercased())
            #expect((preview.json["current"] as? [String: String])?["email"] == email)

            // without an id: the connection's first linked person
            let first = try await api.call(fixture.app, .POST, path, token: token, [:])
            #expect(first.json["personio_id"] as? Int == (try await fixture.links(connection).keys.min()))
            // nothing was saved
            let model = try #require(try await ConnectionModel.find(connection, on: fixture.app.db))
            #expect(try model.connectionRules().mapping == Preset.timeTracking.mapping)

            let nobody = try await api.call(fixture.app, .POST, path, token: token, ["personio_id": 999_999])
            #expect(nobody.status == .unprocessableEntity)
            #expect(nobody.error?["field"] as? String == "personio_id")
            let stray = try await api.call(fixture.app, .POST, path, token: token, ["person": 1])
            #expect(stray.error?["field"] as? String == "person")
        }
    }
}
