import Foundation
import SyncEngine
import Testing

/// An attribute Personio stops sharing is unknown, not empty: no field read from it is cleared,
/// and no rule that needs it creates, archives or deletes anyone.
@Suite("Attributes Personio stops sharing")
struct WithheldAttributesTests {
    static let everything: Set<String> = ["id", "first_name", "last_name", "email", "status", "hire_date", "termination_date",
                                          "department", "position"]

    /// The person as a credential that no longer reads `attribute` sees them.
    func withheld(_ employee: Employee, _ attribute: String) -> Employee {
        var copy = employee
        copy.readableAttributes.remove(attribute)
        switch attribute {
        case "department": copy.department = nil
        case "status": copy.status = nil
        case "hire_date": copy.hireDate = nil
        case "termination_date": copy.terminationDate = nil
        case "email": copy.email = nil
        default: break
        }
        return copy
    }

    @Test func sharedAttributesRememberWhatWasReturnedAndNoticeWhatStopped() {
        var state = SharedAttributes()
        let relevant: Set<String> = ["department", "status", "termination_date"]
        state.observe([person(1, readable: Self.everything)], relevant: relevant, at: now)
        #expect(state.shared == relevant)
        #expect(state.withheld.isEmpty)
        // an empty (incremental) listing tells nothing
        state.observe([], relevant: relevant, at: now.addingTimeInterval(60))
        #expect(state.withheld.isEmpty)
        // department stops being returned
        let later = now.addingTimeInterval(3600)
        state.observe([person(1, readable: Self.everything.subtracting(["department"]))], relevant: relevant, at: later)
        #expect(state.withheld == ["department": later])
        // still missing: the first moment stays
        state.observe([person(1, readable: Self.everything.subtracting(["department"]))], relevant: relevant, at: later + 60)
        #expect(state.withheld == ["department": later])
        #expect(state.describe(in: berlin) == "department (since 2026-11-22)")
        // back: shared again
        state.observe([person(2, readable: Self.everything)], relevant: relevant, at: later + 120)
        #expect(state.withheld.isEmpty)
        #expect(state.shared.contains("department"))
        // an attribute never shared is not withheld
        var fresh = SharedAttributes()
        fresh.observe([person(1, readable: ["id", "first_name"])], relevant: relevant, at: now)
        #expect(fresh.withheld.isEmpty)
        // accepted: no longer withheld, and not expected back
        state.observe([person(1, readable: Self.everything.subtracting(["status"]))], relevant: relevant, at: later + 180)
        state.accept(["status"])
        #expect(state.withheld.isEmpty)
        state.observe([person(1, readable: Self.everything.subtracting(["status"]))], relevant: relevant, at: later + 240)
        #expect(state.withheld.isEmpty)
    }

    @Test(arguments: ["department", "status", "hire_date", "termination_date", "email"])
    func aWithheldAttributeClearsNothingAndMovesNobody(_ attribute: String) {
        for preset in [Preset.timeTracking, .survey, .serviceDesk] {
            let rules = preset.rules()
            // given people the app holds: active, on leave (the survey keeps them), and one who left since
            let active = person(1)
            let onLeave = person(2, status: .leave)
            let leaver = person(3, termination: today.adding(days: -3))
            let links = [link(for: active, .active, rules: rules), link(for: onLeave, .active, rules: rules),
                         link(for: person(3), .active, rules: rules)]
            let newHire = person(4, hire: today.adding(days: -1))
            // when Personio stops sharing the attribute
            let listed = [active, onLeave, leaver, newHire].map { withheld($0, attribute) }
            let result = plan(rules, listed, links: links, withheld: [attribute])
            // then nothing is cleared, archived, deleted or created because of it
            let relied = rules.attributesReliedOn.contains(attribute)
            let decisive = ConnectionRules.lifecycleAttributes.contains(attribute) || rules.policy.requiredAttributes.contains(attribute)
            if relied {
                // the leaver still leaves when what says so is readable (a mapped field withheld is no reason to keep them)
                let removals = result.operations.filter { [.create, .archive, .delete, .hold].contains($0.kind) }
                #expect(removals.allSatisfy { !decisive && $0.personioID == 3 && $0.reason.contains("termination date") },
                        "\(preset.id) \(attribute): \(removals)")
                for operation in result.operations where operation.kind == .update {
                    #expect(operation.changedFields.isEmpty, "\(preset.id) \(attribute): \(operation)")
                }
                #expect(result.skipped.contains { $0.personioID == 4 && $0.reason.contains("Personio stopped sharing \(attribute)") },
                        "\(preset.id) \(attribute): \(result.skipped)")
            }
        }
    }

    @Test func withOnlyAMappedFieldWithheldOtherChangesStillFollowAndTheFieldKeepsItsValue() {
        let rules = Preset.timeTracking.rules()
        let before = person(1)
        var after = withheld(before, "department")
        after.lastName = "Byron"
        let result = plan(rules, [after], links: [link(for: before, .active, rules: rules)], withheld: ["department"])
        #expect(result.operations.map(\.kind) == [.update])
        #expect(result.operations.first?.changedFields == ["last_name"])
        #expect(result.operations.first?.fields["department"] == "Engineering")
    }

    @Test func aTargetWithoutStoredFieldsLeavesThePersonAsTheyAre() {
        var rules = Preset.timeTracking.rules()
        rules.storesFields = false
        let before = person(1)
        var stored = link(for: before, .active, rules: rules)
        stored.fields = nil
        let result = plan(rules, [withheld(before, "department")], links: [stored], withheld: ["department"])
        #expect(result.operations.isEmpty)
        #expect(result.skipped.map(\.reason) == ["kept as it is: Personio stopped sharing department with this API credential"])
    }

    @Test func accepting() {
        // once accepted (no longer withheld) the empty department is a change like any other
        let rules = Preset.timeTracking.rules()
        let before = person(1)
        let result = plan(rules, [withheld(before, "department")], links: [link(for: before, .active, rules: rules)])
        #expect(result.operations.first?.changedFields == ["department"])
    }
}
