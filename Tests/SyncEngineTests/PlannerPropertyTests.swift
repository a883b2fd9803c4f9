import Foundation
import SyncEngine
import Testing

/// Invariants of the planner over many random companies. Deterministic: each case comes from a
/// fixed seed, so a failure names the seed that reproduces it.
@Suite("Planner invariants")
struct PlannerPropertyTests {
    static let seeds: [UInt64] = Array(1...150)
    static let presets = [Preset.timeTracking, .eorOnboarding, .survey, .serviceDesk]

    /// A random company and a random target state for it.
    static func scenario(_ seed: UInt64) -> (rules: ConnectionRules, employees: [Employee], links: [Int: Link], approved: Set<Int>) {
        var random = SeededRandom(seed: seed)
        var rules = presets[Int(seed) % presets.count].rules()
        if Bool.random(using: &random) { rules.policy.seatLimit = Int.random(in: 5...40, using: &random) }
        let count = Int.random(in: 0...60, using: &random)
        var employees: [Employee] = []
        var links: [Int: Link] = [:]
        var approved = Set<Int>()
        for id in 1...max(1, count) {
            let statuses: [EmploymentStatus] = [.active, .active, .active, .onboarding, .leave, .inactive]
            let status = statuses.randomElement(using: &random)!
            let hire = today.adding(days: status == .onboarding ? Int.random(in: 0...20, using: &random) : -Int.random(in: 0...900, using: &random))
            let termination = Int.random(in: 0..<6, using: &random) == 0 ? today.adding(days: Int.random(in: -30...30, using: &random)) : nil
            let employee = person(id, first: ["Ada", "Björn", "芳"].randomElement(using: &random)!, status: status, hire: hire,
                                  termination: termination, department: ["Sales", "Engineering", nil].randomElement(using: &random)!)
            if Int.random(in: 0..<5, using: &random) > 0 { employees.append(employee) }
            if Bool.random(using: &random) {
                var previous = employee
                if Bool.random(using: &random) { previous.lastName = "Old" }
                let state = LinkState.allCases.randomElement(using: &random)!
                links[id] = link(for: previous, state, rules: rules, hasBeenActive: Bool.random(using: &random))
            }
            if Bool.random(using: &random) { approved.insert(id) }
        }
        return (rules, employees, links, approved)
    }

    static func input(_ links: [Int: Link], _ employees: [Employee], _ listing: PlanInput.Listing, approved: Set<Int>,
                      released: Bool = false) -> PlanInput {
        PlanInput(links: links, employees: employees, listing: listing, now: now, timeZone: berlin, approved: approved, brakeReleased: released)
    }

    @Test(arguments: seeds)
    func replanningAfterApplyingAPlanYieldsNothingNew(seed: UInt64) {
        let (rules, employees, links, approved) = Self.scenario(seed)
        let planner = Planner(rules: rules)
        let first = planner.plan(Self.input(links, employees, .full(complete: true), approved: approved, released: true))
        let applied = apply(first, to: links)
        let second = planner.plan(Self.input(applied, employees, .full(complete: true), approved: approved, released: true))
        #expect(second.operations.filter { $0.kind != .hold }.isEmpty, "seed \(seed): \(second.operations)")
    }

    @Test(arguments: seeds)
    func unchangedPeopleNeverGetOperations(seed: UInt64) {
        let (rules, employees, links, approved) = Self.scenario(seed)
        let planner = Planner(rules: rules)
        let settled = apply(planner.plan(Self.input(links, employees, .full(complete: true), approved: approved, released: true)), to: links)
        // Only people whose data did not change since the settled state: none of them gets an operation.
        let again = planner.plan(Self.input(settled, employees, .incremental, approved: approved))
        #expect(again.operations.filter { $0.kind != .hold }.isEmpty, "seed \(seed): \(again.operations)")
    }

    @Test(arguments: seeds)
    func anIncrementalListingNeverDeletes(seed: UInt64) {
        let (rules, employees, links, approved) = Self.scenario(seed)
        let result = Planner(rules: rules).plan(Self.input(links, employees, .incremental, approved: approved, released: true))
        #expect(!result.operations.contains { $0.kind == .delete }, "seed \(seed)")
        let listed = Set(employees.map(\.id))
        #expect(result.operations.allSatisfy { listed.contains($0.personioID) }, "seed \(seed): only listed people are touched")
    }

    @Test(arguments: seeds)
    func theBrakeNeverLetsMoreThanTheThresholdThrough(seed: UInt64) {
        let (rules, employees, links, approved) = Self.scenario(seed)
        let result = Planner(rules: rules).plan(Self.input(links, employees, .full(complete: true), approved: approved))
        let removals = result.operations.filter { $0.kind == .archive || $0.kind == .delete }.count
        let linked = links.values.filter { $0.state != .deleted }.count
        let brake = rules.policy.brake
        #expect(removals < brake.minimum || Double(removals) <= brake.threshold * Double(linked), "seed \(seed): \(removals) of \(linked)")
    }

    @Test(arguments: seeds)
    func plansDoNotDependOnInputOrder(seed: UInt64) {
        let (rules, employees, links, approved) = Self.scenario(seed)
        var random = SeededRandom(seed: seed &* 31)
        let planner = Planner(rules: rules)
        let ordered = planner.plan(Self.input(links, employees, .full(complete: true), approved: approved))
        let shuffled = planner.plan(Self.input(links, employees.shuffled(using: &random), .full(complete: true), approved: approved))
        #expect(ordered == shuffled, "seed \(seed)")
    }

    /// Large listings are planned on every processor; small ones person by person. Without a seat
    /// limit and brake, and with an incremental listing, each person's outcome depends only on them,
    /// so planning about 15,000 people at once must equal planning them in small groups.
    @Test(arguments: [UInt64(7), 8, 9])
    func planningOnEveryProcessorEqualsPlanningPersonByPerson(seed: UInt64) {
        var employees: [Employee] = []
        var links: [Int: Link] = [:]
        var approved = Set<Int>()
        var rules = Self.presets[Int(seed) % Self.presets.count].rules()
        rules.policy.brake.enabled = false
        for block in 0..<600 {
            let (_, someEmployees, someLinks, someApproved) = Self.scenario(seed &* 1000 &+ UInt64(block))
            let offset = block * 100
            for var employee in someEmployees {
                employee.id += offset
                employees.append(employee)
            }
            for (id, var link) in someLinks {
                link.personioID = id + offset
                links[id + offset] = link
            }
            approved.formUnion(someApproved.map { $0 + offset })
        }
        #expect(employees.count > 10_000)
        let planner = Planner(rules: rules)
        let whole = planner.plan(Self.input(links, employees, .incremental, approved: approved))
        var operations: [SyncEngine.Operation] = []
        var skipped: [Skip] = []
        for group in stride(from: 0, to: employees.count, by: 500) {
            let part = planner.plan(Self.input(links, Array(employees[group..<min(group + 500, employees.count)]), .incremental,
                                               approved: approved))
            operations += part.operations
            skipped += part.skipped
        }
        #expect(whole.operations.count == operations.count)
        #expect(whole.operations == operations, "seed \(seed)")
        #expect(whole.skipped == skipped, "seed \(seed)")
        #expect(!whole.operations.isEmpty)
    }
}
