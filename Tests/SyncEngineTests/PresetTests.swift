import Foundation
import SyncEngine
import Testing

@Suite("time-tracking (Clockodo)")
struct TimeTrackingTests {
    let rules = Preset.timeTracking.rules()

    @Test func aStartExactly7DaysAwayIsSentArchived() {
        let result = plan(rules, [person(1, status: .onboarding, hire: today.adding(days: 7))])
        #expect(result.operations.map(\.kind) == [.create])
        #expect(result.operations.first?.resultingState == .archived)
        #expect(result.operations.first?.reason == "archived until the start date 2026-11-29 (in 7 days)")
    }

    @Test func aStart8DaysAwayIsNotSentYet() {
        let result = plan(rules, [person(1, status: .onboarding, hire: today.adding(days: 8))])
        #expect(result.operations.isEmpty)
        #expect(result.skipped.first?.reason == "not sent yet: starts on 2026-11-30, more than 7 days away")
    }

    @Test func theStartDateReachedActivates() {
        let starter = person(1, status: .onboarding, hire: today)
        let result = plan(rules, [starter], links: [link(for: starter, .archived, rules: rules)])
        #expect(result.operations.map(\.kind) == [.activate])
        #expect(result.operations.first?.reason == "activated: start date 2026-11-22 reached")
    }

    @Test func nameAndEmailChangesFollow() {
        let before = person(1)
        var after = before
        after.lastName = "Byron"
        after.email = "ada.byron@acme.example"
        let result = plan(rules, [after], links: [link(for: before, .active, rules: rules)])
        #expect(result.operations.map(\.kind) == [.update])
        #expect(result.operations.first?.changedFields == ["email", "last_name"])
        #expect(result.operations.first?.reason == "updated: email, last_name changed")
    }

    @Test func aTerminatedPersonIsArchivedAndTheirSeatIsFreed() {
        var limited = rules
        limited.policy.seatLimit = 2
        let leaver = person(1, termination: today.adding(days: -2))
        let stayer = person(2)
        let newHire = person(3, hire: today)
        let result = plan(limited, [leaver, stayer, newHire],
                          links: [link(for: person(1), .active, rules: limited), link(for: stayer, .active, rules: limited)])
        #expect(result.operations.first { $0.personioID == 1 }?.kind == .archive)
        #expect(result.operations.first { $0.personioID == 1 }?.reason == "archived: termination date 2026-11-20 has passed")
        #expect(result.operations.first { $0.personioID == 3 }?.kind == .create, "the freed seat goes to the new hire")
    }

    @Test func deactivatedInPersonioIsArchived() {
        let result = plan(rules, [person(1, status: .inactive)], links: [link(for: person(1), .active, rules: rules)])
        #expect(result.operations.map(\.kind) == [.archive])
        #expect(result.operations.first?.reason == "archived: status is inactive")
    }
}

@Suite("eor-onboarding (WorkMotion)")
struct EOROnboardingTests {
    let rules = Preset.eorOnboarding.rules()

    @Test func newPeopleArriveAsDraftsMarkedAsComingFromPersonio() {
        let result = plan(rules, [person(1), person(2, status: .onboarding, hire: today.adding(days: 30))])
        #expect(result.operations.map(\.kind) == [.create, .create])
        #expect(result.operations.allSatisfy { $0.resultingState == .draft })
        #expect(result.operations.first?.reason == "draft: awaiting approval by an HR admin")
        #expect(result.operations.first?.fields["source"] == "personio")
        #expect(result.operations.first?.fields["contract_start"] == "2020-01-01")
    }

    @Test func approvalProvisionsADraft() {
        let draft = person(1, status: .onboarding, hire: today.adding(days: 30))
        let result = plan(rules, [draft], links: [link(for: draft, .draft, rules: rules)], approved: [1])
        #expect(result.operations.map(\.kind) == [.activate])
        #expect(result.operations.first?.resultingState == .active)
        let unapproved = plan(rules, [draft], links: [link(for: draft, .draft, rules: rules)])
        #expect(unapproved.operations.isEmpty)
    }
}

@Suite("survey (Honestly)")
struct SurveyTests {
    let rules = Preset.survey.rules()

    @Test func peopleWhoHaveNotStartedAreNotSent() {
        let result = plan(rules, [person(1, status: .onboarding, hire: today.adding(days: 1))])
        #expect(result.operations.isEmpty)
        #expect(result.skipped.first?.reason == "not sent yet: starts on 2026-11-23")
    }

    @Test func leftTemporarilyIsDeleted() {
        let result = plan(rules, [person(1, status: .leave)], links: [link(for: person(1), .active, rules: rules)])
        #expect(result.operations.map(\.kind) == [.delete])
        #expect(result.operations.first?.reason == "deleted: on leave")
    }

    @Test func noLongerReturnedIsDeleted() {
        let result = plan(rules, [person(2)], links: [link(for: person(1), .active, rules: rules), link(for: person(2), .active, rules: rules)])
        #expect(result.operations.map(\.kind) == [.delete])
        #expect(result.operations.first?.personioID == 1)
        #expect(result.operations.first?.reason == "deleted: no longer returned by Personio")
    }

    @Test func departmentAndPositionChangesFollow() {
        var moved = person(1)
        moved.department = OrgUnitRef(id: 2, name: "Sales")
        moved.position = "Account Executive"
        let result = plan(rules, [moved], links: [link(for: person(1), .active, rules: rules)])
        #expect(result.operations.first?.changedFields == ["department", "position"])
    }

    @Test func aMissingRequiredAttributeIsExplained() {
        let empty = plan(rules, [person(1, department: nil)])
        #expect(empty.skipped.first?.reason == "not sent: required attribute department has no value")
        let unreadable = plan(rules, [person(2, department: nil, readable: ["id", "first_name", "last_name", "email"])])
        #expect(unreadable.skipped.first?.reason == "not sent: required attribute department is not readable with this API credential")
    }

    @Test func syncsEvery12Hours() {
        #expect(Preset.survey.incrementalInterval == 43_200)
        #expect(Preset.timeTracking.incrementalInterval == 60)
    }
}

@Suite("service-desk (Back)")
struct ServiceDeskTests {
    @Test func sendsTheArticlesAttributes() {
        var employee = person(1)
        employee.vacationDayBalance = 12.5
        employee.office = OrgUnitRef(id: 3, name: "Wien")
        employee.supervisor = PersonRef(id: 9, email: "boss@acme.example")
        employee.lastModifiedAt = Date(timeIntervalSince1970: 1_795_000_000)
        let fields = plan(Preset.serviceDesk.rules(), [employee]).operations.first?.fields ?? [:]
        #expect(fields["office"] == "Wien")
        #expect(fields["vacation_days"] == "12.5")
        #expect(fields["supervisor_email"] == "boss@acme.example")
        #expect(fields["last_modified_at"]?.hasSuffix("Z") == true)
        #expect(fields["status"] == "active")
    }

    @Test func theAdminLimitsWhatFlows() {
        var rules = Preset.serviceDesk.rules()
        rules.mapping.fields.removeAll { $0.target == "vacation_days" || $0.target == "gender" }
        var employee = person(1)
        employee.vacationDayBalance = 3
        employee.gender = "female"
        let fields = plan(rules, [employee]).operations.first?.fields ?? [:]
        #expect(fields["vacation_days"] == nil)
        #expect(fields["gender"] == nil)
    }
}

@Suite("Rules common to every preset")
struct CommonRuleTests {
    let rules = Preset.timeTracking.rules()

    @Test func aRehireRestores() {
        let rehired = person(1, hire: today.adding(days: -1))
        let result = plan(rules, [rehired], links: [link(for: rehired, .archived, rules: rules, hasBeenActive: true)])
        #expect(result.operations.map(\.kind) == [.restore])
        #expect(result.operations.first?.reason == "restored: rehired, started on 2026-11-21")
    }

    @Test func aRehireWithANewHireDateAfterTheOldTerminationRestoresDespiteTheOldDates() {
        var rehired = person(1, hire: today, termination: today.adding(days: -30))
        rehired.lastWorkingDay = today.adding(days: -30)
        let result = plan(rules, [rehired], links: [link(for: rehired, .archived, rules: rules, hasBeenActive: true)])
        #expect(result.operations.map(\.kind) == [.restore])

        // without the new hire date the old termination still counts
        let gone = person(2, hire: today.adding(days: -400), termination: today.adding(days: -30))
        #expect(plan(rules, [gone], links: [link(for: gone, .active, rules: rules)]).operations.map(\.kind) == [.archive])
    }

    @Test func anIncrementalPlanCountsSeatsAndTheBrakeOverTheWholeConnection() {
        // the seat limit counts active people the incremental listing did not include
        var limited = rules
        limited.policy.seatLimit = 5
        let hire = person(100)
        let counted = PlanInput(links: [:], employees: [hire], listing: .incremental, now: now, timeZone: berlin,
                                linkCounts: .init(active: 5, linked: 5))
        #expect(Planner(rules: limited).plan(counted).operations.map(\.kind) == [.hold])
        let uncounted = PlanInput(links: [:], employees: [hire], listing: .incremental, now: now, timeZone: berlin)
        #expect(Planner(rules: limited).plan(uncounted).operations.map(\.kind) == [.create])

        // the brake compares removals with everyone linked, not with the people listed
        let leavers = (1...12).map { person($0, status: .inactive) }
        let links = leavers.map { link(for: $0, .active, rules: rules) }
        let byId = Dictionary(uniqueKeysWithValues: links.map { ($0.personioID, $0) })
        let few = PlanInput(links: byId, employees: leavers, listing: .incremental, now: now, timeZone: berlin,
                            linkCounts: .init(active: 40, linked: 40))
        #expect(Planner(rules: rules).plan(few).brake?.held == true, "12 of 40 is over 20 %")
        let many = PlanInput(links: byId, employees: leavers, listing: .incremental, now: now, timeZone: berlin,
                             linkCounts: .init(active: 1000, linked: 1000))
        #expect(Planner(rules: rules).plan(many).brake == nil, "12 of 1000 is not")
        #expect(Planner(rules: rules).plan(many).count(.archive) == 12)
    }

    @Test func activationsBeyondTheSeatLimitAreHeld() {
        var limited = rules
        limited.policy.seatLimit = 1
        let result = plan(limited, [person(1), person(2)])
        #expect(result.operations.map(\.kind) == [.create, .hold])
        #expect(result.operations.last?.reason == "held: seat limit 1 reached")
        #expect(result.operations.last?.held == .create)
        #expect(result.operations.last?.resultingState == nil)
    }

    @Test func theBrakeHoldsAMassTerminationUntilReleased() {
        let everyone = (1...50).map { person($0) }
        let links = everyone.map { link(for: $0, .active, rules: rules) }
        let terminated = everyone.map { $0.id <= 15 ? person($0.id, termination: today.adding(days: -1)) : $0 }
        let held = plan(rules, terminated, links: links)
        #expect(held.count(.hold) == 15)
        #expect(held.count(.archive) == 0)
        #expect(held.brake?.held == true)
        #expect(held.operations.first?.reason == "held by the deletion brake: archived: termination date 2026-11-21 has passed")
        #expect(held.brake?.message == "15 of 50 people (30 %) would be archived or deleted; the brake held them (threshold 20 % and at least 10)")
        let released = plan(rules, terminated, links: links, released: true)
        #expect(released.count(.archive) == 15)
        #expect(released.brake?.released == true)
    }

    @Test func theBrakeIgnoresFewerThanItsMinimum() {
        let everyone = (1...10).map { person($0) }
        let links = everyone.map { link(for: $0, .active, rules: rules) }
        let result = plan(rules, everyone.map { $0.id <= 5 ? person($0.id, status: .inactive) : $0 }, links: links)
        #expect(result.count(.archive) == 5)
        #expect(result.brake == nil)
    }

    @Test func anIncrementalOrIncompleteListingNeverDeletes() {
        let survey = Preset.survey.rules()
        let links = [link(for: person(1), .active, rules: survey), link(for: person(2), .active, rules: survey)]
        #expect(plan(survey, [person(2)], links: links, listing: .incremental).operations.isEmpty)
        #expect(plan(survey, [person(2)], links: links, listing: .full(complete: false)).operations.isEmpty)
        let leave = plan(survey, [person(1, status: .leave)], links: links, listing: .incremental)
        #expect(leave.operations.isEmpty)
        #expect(leave.skipped.first?.reason.hasPrefix("not deleted now: deleted: on leave") == true)
    }

    @Test func outOfScopePeopleAreNotSentAndLinkedOnesLeave() {
        let scoped = ConnectionRules(policy: rules.policy, mapping: rules.mapping,
                                     scope: Scope([.init(attribute: "department", values: ["Sales"], include: false)]))
        let result = plan(scoped, [person(1, department: "Sales"), person(2, department: "Sales")],
                          links: [link(for: person(2, department: "Sales"), .active, rules: scoped)])
        #expect(result.skipped.first?.reason == "out of scope: department Sales is excluded")
        #expect(result.operations.first?.kind == .archive)
        #expect(result.operations.first?.reason == "archived: out of scope: department Sales is excluded")
    }

    @Test func explainListsTheRulesThatFired() {
        let explanation = Planner(rules: rules).explain(1, in: PlanInput(
            links: [:], employees: [person(1, status: .onboarding, hire: today.adding(days: 3))], listing: .incremental, now: now, timeZone: berlin))
        #expect(explanation.operations.first?.kind == .create)
        #expect(explanation.steps == ["scope: included", "starts on 2026-11-25, in 3 days; pre-hire policy: archivedWithin(days: 7)"])
    }

    @Test func rulesAreEvaluatedInTheWorkspaceTimeZone() {
        // 23:30 UTC on 28 Nov is already 29 Nov in Berlin: the start on 6 Dec is then 7 days away.
        let lateEvening = Date(timeIntervalSince1970: 1_795_908_600)
        let input = { (zone: TimeZone) in PlanInput(links: [:], employees: [person(1, status: .onboarding, hire: LocalDate("2026-12-06"))],
                                                    listing: .incremental, now: lateEvening, timeZone: zone) }
        #expect(Planner(rules: rules).plan(input(berlin)).operations.count == 1)
        #expect(Planner(rules: rules).plan(input(TimeZone(identifier: "UTC")!)).operations.isEmpty)
    }
}

@Suite("Mapping")
struct MappingTests {
    @Test func transformsApplyInOrder() {
        let mapping = Mapping([
            FieldMapping("email", from: "email", .trim, .uppercase),
            FieldMapping("name", .concatenate([.attribute("first_name"), .attribute("last_name")], separator: " ")),
            FieldMapping("start", from: "hire_date", .dateFormat("dd.MM.yyyy")),
            FieldMapping("kind", from: "status", .valueMap(["active": "A"], fallback: "X")),
            FieldMapping("team", from: "team", .defaultValue("none")),
            FieldMapping("country", .constant("DE")),
        ])
        let fields = mapping.apply(to: person(7), timeZone: berlin)
        #expect(fields == ["email": "ADA.7@ACME.EXAMPLE", "name": "Ada Lovelace", "start": "01.01.2020", "kind": "A", "team": "none",
                           "country": "DE"])
    }

    @Test func validationNamesTheField() {
        let mapping = Mapping([
            FieldMapping("email", from: "e_mail"),
            FieldMapping("email", from: "email"),
            FieldMapping("", from: "first_name"),
            FieldMapping("start", from: "hire_date", .dateFormat("%d.%m")),
        ])
        #expect(mapping.validate().map(\.field) == ["mapping.fields[0].source", "mapping.fields[1].target", "mapping.fields[2].target",
                                                    "mapping.fields[3].transforms[0]"])
        #expect(Preset.all.allSatisfy { $0.mapping.validate().isEmpty })
    }
}
