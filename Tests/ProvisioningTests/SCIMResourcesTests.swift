import Foundation
@testable import Provisioning
import Testing

/// The SCIM resources as Codable values: what is sent keeps JSON's types, what an app answers is read
/// leniently (an attribute of an odd type is absent, not a failure of the whole answer).
@Suite("SCIM resources")
struct SCIMResourcesTests {
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func booleansStayBooleansUnlessTheAppWantsText() throws {
        var user = SCIMUser()
        user.userName = "ada@acme.example"
        user.active = SCIMUser.Active(true, asText: false)
        user.emails = [SCIMUser.MultiValued(value: "ada@acme.example", type: "work", primary: true)]
        #expect(try Self.text(user) == #"{"active":true,"emails":[{"primary":true,"type":"work","value":"ada@acme.example"}],"# +
                #""userName":"ada@acme.example"}"#)
        user.active = SCIMUser.Active(false, asText: true)
        #expect(try Self.text(user).contains(#""active":"false""#))
        let patch = try Self.text(SCIMPatchOp.replace(with: user))
        #expect(patch.hasPrefix(#"{"Operations":[{"op":"replace","value":{"active":"false""#))
        #expect(patch.hasSuffix(#""schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#))
    }

    @Test func anAppsUserIsReadLeniently() throws {
        let answer = #"{"id":"u-1","externalId":17,"userName":"ada","active":"True","emails":[{"value":"ada@acme.example","primary":"yes"}],"# +
            #""urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}"#
        let user = try JSONDecoder().decode(SCIMUser.self, from: Data(answer.utf8))
        #expect(user.id == "u-1" && user.externalId == nil && user.userName == "ada")
        #expect(user.active?.value == true)
        #expect(user.emailValues == ["ada@acme.example"] && user.emails?.first?.primary == nil, "an odd member reads as absent, not its neighbours")
        #expect(user.enterprise?.department == "R&D")
    }

    @Test func aListIsAListResponseOrABareArray() throws {
        let list = try JSONDecoder().decode(SCIMListResponse<SCIMUser>.self,
                                            from: Data(#"{"totalResults":2,"Resources":[{"id":"a"},"garbage",{"id":"b"}]}"#.utf8))
        #expect(list.isListResponse && list.totalResults == 2 && list.resources.compactMap(\.id) == ["a", "b"])
        let bare = try JSONDecoder().decode(SCIMListResponse<SCIMUser>.self, from: Data(#"[{"id":"a"}]"#.utf8))
        #expect(bare.isBareArray && !bare.isListResponse && bare.resources.count == 1)
        let empty = try JSONDecoder().decode(SCIMListResponse<SCIMUser>.self, from: Data(#"{"totalResults":0}"#.utf8))
        #expect(empty.isListResponse && !empty.hasResources && empty.resources.isEmpty)
    }

    @Test func pruningKeepsOnlyWhatTheAppDeclares() {
        var user = SCIMUser()
        (user.userName, user.title, user.externalId, user.schemas) = ("ada", "Engineer", "17",
                                                                        [SCIMTarget.userSchema, SCIMTarget.enterpriseSchema])
        user.name = SCIMUser.Name(givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace")
        user.emails = [SCIMUser.MultiValued(value: "ada@acme.example", type: "work", primary: true)]
        user.enterprise = SCIMUser.Enterprise(employeeNumber: "17", department: "R&D", organization: nil, manager: .init(value: "u-2"))
        let declared = SCIMDeclaredAttributes(paths: ["userName", "name", "name.givenName", "emails", "emails.value"])
        let (pruned, omitted) = declared.prune(user)
        #expect(pruned.userName == "ada" && pruned.title == nil && pruned.externalId == "17")
        #expect(pruned.name == SCIMUser.Name(givenName: "Ada", familyName: nil, formatted: nil))
        #expect(pruned.emails == [SCIMUser.MultiValued(value: "ada@acme.example", type: nil, primary: nil)])
        #expect(pruned.enterprise == nil && pruned.schemas == [SCIMTarget.userSchema])
        #expect(omitted == ["emails.primary", "emails.type", "name.familyName", "name.formatted", "title", SCIMTarget.enterpriseSchema])
    }
}
