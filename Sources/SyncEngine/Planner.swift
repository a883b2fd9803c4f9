import Foundation

/// Decides what to do to each person, and why. Pure: the same input gives the same plan.
public struct Planner: Sendable {
    public let rules: ConnectionRules
    private let mapping: CompiledMapping
    /// The policy's rules that decide a person's state, without its reference-counted parts: read
    /// for every person on every processor, shared retains showed as contention.
    private let lifecycle: Lifecycle
    private let scoped: Bool
    /// The policy's required attributes, read as a mapping reads them.
    private let required: [CompiledMapping.Field]
    private let requiredReaders: [CompiledMapping.Reader]

    public init(rules: ConnectionRules) {
        self.rules = rules
        mapping = CompiledMapping(rules.mapping)
        lifecycle = Lifecycle(rules.policy)
        scoped = !rules.scope.rules.isEmpty
        required = rules.policy.requiredAttributes.map { CompiledMapping.Field(target: $0, source: .attribute($0), transforms: []) }
        requiredReaders = required.map(\.reader)
    }

    public func plan(_ input: PlanInput) -> Plan {
        var trace: [String]? = nil
        return plan(input, trace: &trace, only: nil)
    }

    /// The plan for one person with every rule that fired, for "explain" and previews.
    public func explain(_ personioID: Int, in input: PlanInput) -> (operations: [Operation], skipped: [Skip], steps: [String]) {
        var trace: [String]? = []
        let plan = plan(input, trace: &trace, only: personioID)
        return (plan.operations.filter { $0.personioID == personioID }, plan.skipped.filter { $0.personioID == personioID }, trace ?? [])
    }

    // MARK: The plan

    private func plan(_ input: PlanInput, trace: inout [String]?, only: Int?) -> Plan {
        let today = LocalDate.today(input.now, input.timeZone)
        let complete: Bool
        switch input.listing {
        case .full(let isComplete): complete = isComplete
        case .incremental: complete = false
        }
        var operations: [Operation] = []
        var skipped: [Skip] = []
        var listedIds: [Int] = []
        // Personio lists by id already; sort positions, not the large Employee values, when it did not.
        let employees = input.employees
        let isSorted = employees.indices.dropFirst().allSatisfy { employees[$0 - 1].id < employees[$0].id }
        let order = isSorted ? Array(employees.indices) : employees.indices.sorted { employees[$0].id < employees[$1].id }
        listedIds.reserveCapacity(employees.count)

        // Distinct people in id order: a duplicate follows its first.
        var positions: [Int] = []
        positions.reserveCapacity(order.count)
        for position in order where employees[position].id != listedIds.last {
            listedIds.append(employees[position].id)
            positions.append(position)
        }
        let withholding = Withholding(rules: rules, mapping: mapping, withheld: input.withheld)
        let (outcomes, linkedListed) = decideAll(positions, input: input, today: today, withholding: withholding, trace: &trace, only: only)
        for (position, outcome) in zip(positions, outcomes) {
            switch outcome {
            case .operation(let operation): operations.append(operation)
            case .skip(let reason): skipped.append(Skip(personioID: employees[position].id, reason: reason))
            case .none: break
            }
        }

        var linked = input.linkCounts?.linked ?? 0
        if input.linkCounts == nil { for link in input.links.values where link.state != .deleted { linked += 1 } }
        // Everyone linked was listed (the usual full listing) unless fewer linked people were listed than are linked.
        if case .full = input.listing, complete, linkedListed < linked {
            var vanished: [Int] = []
            for (id, link) in input.links where link.state != .deleted && !Self.contains(listedIds, id) { vanished.append(id) }
            for id in vanished.sorted() {
                guard let link = input.links[id] else { continue }
                let reason = "no longer returned by Personio"
                if only == id { trace = ["not in a complete full listing: \(reason)",
                                         "policy for vanished people: \(rules.policy.onVanished.rawValue)"] }
                switch rules.policy.onVanished {
                case .keep: skipped.append(Skip(personioID: id, reason: "kept: \(reason)"))
                case .archive where link.state != .archived:
                    operations.append(stateChange(.archive, id, link: link, to: .archived, reason: "archived: \(reason)", fields: link.fields ?? [:]))
                case .archive: break
                case .delete:
                    operations.append(stateChange(.delete, id, link: link, to: .deleted, reason: "deleted: \(reason)", fields: [:]))
                }
            }
        }

        if !complete {
            // An incomplete or incremental listing never deletes anyone.
            operations = operations.compactMap { operation in
                guard operation.kind == .delete else { return operation }
                skipped.append(Skip(personioID: operation.personioID,
                                    reason: "not deleted now: \(operation.reason) — the listing was not a complete full listing"))
                return nil
            }
        }

        applySeatLimit(&operations, links: input.links, active: input.linkCounts?.active)
        let brake = applyBrake(&operations, links: input.links, linked: linked, released: input.brakeReleased)
        operations.sort { ($0.personioID, $0.kind.rawValue) < ($1.personioID, $1.kind.rawValue) }
        skipped.sort { ($0.personioID, $0.reason) < ($1.personioID, $1.reason) }
        return Plan(operations: operations, skipped: skipped, brake: brake)
    }

    /// Every listed person's outcome, in the order of `positions`. Large listings are split into one
    /// contiguous share per processor; each person's outcome depends only on that person and their
    /// link, so the plan is the same however it is split.
    private func decideAll(_ positions: [Int], input: PlanInput, today: LocalDate, withholding: Withholding?, trace: inout [String]?,
                           only: Int?) -> (outcomes: [Outcome], linkedListed: Int) {
        let employees = input.employees
        let shares = only == nil && positions.count >= Self.parallelMinimum ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        guard shares > 1 else {
            var linkedListed = 0
            var values: [String?] = []
            let outcomes = positions.map { position in
                let link = input.links[employees[position].id]
                if let link, link.state != .deleted { linkedListed += 1 }
                return decide(employees[position], link: link, input: input, today: today, withholding: withholding, values: &values,
                              trace: &trace, only: only)
            }
            return (outcomes, linkedListed)
        }
        var linkedPerShare = [Int](repeating: 0, count: shares)
        let outcomes = linkedPerShare.withUnsafeMutableBufferPointer { linkedPerShare in
            let counts = UncheckedBuffer(linkedPerShare)
            return [Outcome](unsafeUninitializedCapacity: positions.count) { buffer, initialized in
                let outcomes = UncheckedBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: shares) { share in
                    let range = positions.count * share / shares ..< positions.count * (share + 1) / shares
                    counts.buffer[share] = decideShare(range, positions: positions, employees: employees, links: input.links,
                                                       input: input, today: today, withholding: withholding, into: outcomes.buffer)
                }
                initialized = positions.count
            }
        }
        return (outcomes, linkedPerShare.reduce(0, +))
    }

    /// One processor's share; everything it reads arrives as a parameter, so the loop retains nothing shared.
    /// Returns how many of its people have a link that is not deleted.
    private func decideShare(_ range: Range<Int>, positions: [Int], employees: [Employee], links: [Int: Link], input: PlanInput,
                             today: LocalDate, withholding: Withholding?, into outcomes: UnsafeMutableBufferPointer<Outcome>) -> Int {
        var noTrace: [String]? = nil
        var values: [String?] = []
        var linked = 0
        for index in range {
            let position = positions[index]
            let link = links[employees[position].id]
            if let link, link.state != .deleted { linked += 1 }
            let outcome = decide(employees[position], link: link, input: input, today: today, withholding: withholding, values: &values,
                                 trace: &noTrace, only: nil)
            (outcomes.baseAddress! + index).initialize(to: outcome)
        }
        return linked
    }

    /// Listings at least this large are planned on every processor.
    static let parallelMinimum = 10_000

    /// Disjoint parts of one buffer written from several threads.
    private struct UncheckedBuffer<Element>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Element>
        init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
    }

    /// One listed person's outcome. Borrows the employee: copying 100,000 of them (a retain and a
    /// release per field) was a tenth of the time of a plan.
    private func decide(_ person: borrowing Employee, link: Link?, input: PlanInput, today: LocalDate, withholding: Withholding?,
                        values: inout [String?], trace: inout [String]?, only: Int?) -> Outcome {
        let id = person.id
        var steps = Trace(enabled: only == id)
        mapping.values(for: person, into: &values)
        if let withholding {
            // Unknown is not empty: what Personio withholds neither clears a field nor decides a state.
            let kept = withholding.keep(link: link, values: &values)
            if only == id { trace = [withholding.reason + (kept == nil ? "; the last values sent for its fields stand" : "")] }
            if let kept { return .skip(kept) }
        }
        let desired = desiredState(person, link: link, today: today, approved: !input.approved.isEmpty && input.approved.contains(id),
                                   timeZone: input.timeZone, steps: &steps)
        if only == id { trace = steps.steps }
        return diff(id, link: link, desired: desired, values: values)
    }

    /// Binary search in ascending ids.
    static func contains(_ ids: [Int], _ id: Int) -> Bool {
        var low = 0
        var high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id
    }

    // MARK: Withheld attributes

    /// What a plan must not conclude while Personio withholds attributes the connection relies on.
    struct Withholding {
        /// Withheld attributes that decide whether and how someone is sent: nobody is created, changes
        /// state or is updated until they return (or an admin accepts the change).
        let decisive: [String]
        /// Positions (in the mapping's target order) and targets of fields read from withheld attributes.
        let fields: [(position: Int, target: String)]
        let reason: String

        init?(rules: ConnectionRules, mapping: CompiledMapping, withheld: Set<String>) {
            guard !withheld.isEmpty else { return nil }
            decisive = withheld.intersection(ConnectionRules.lifecycleAttributes.union(rules.decisionAttributes)).sorted()
            fields = mapping.fields.enumerated().compactMap { position, field in
                field.attributes.isDisjoint(with: withheld) ? nil : (position, field.target)
            }
            let names = withheld.intersection(rules.attributesReliedOn).sorted()
            guard !names.isEmpty else { return nil }
            reason = "Personio stopped sharing \(names.joined(separator: ", ")) with this API credential"
        }

        /// The skip reason when the person must be left as they are; otherwise fills the withheld
        /// fields with the values last sent and returns nil.
        func keep(link: Link?, values: inout [String?]) -> String? {
            guard let link else { return "not sent: \(reason)" }
            if !decisive.isEmpty { return "kept as it is: \(reason)" }
            // A target that keeps only a fingerprint (SCIM) cannot resend the last values: leave the person.
            guard let stored = link.fields else { return "kept as it is: \(reason)" }
            for field in fields { values[field.position] = stored[field.target] }
            return nil
        }
    }

    // MARK: Lifecycle

    /// Reasons are built only when an operation or a skip is recorded: most people need none.
    typealias Reason = () -> String

    enum Desired {
        /// Not sent (or left as it is, when already linked).
        case absent(Reason)
        case state(LinkState, Reason)
    }

    /// Collects the rules that fired, only when explaining one person.
    struct Trace {
        let enabled: Bool
        var steps: [String] = []

        mutating func callAsFunction(_ text: @autoclosure () -> String) {
            if enabled { steps.append(text()) }
        }
    }

    func desiredState(_ employee: borrowing Employee, link: Link?, today: LocalDate, approved: Bool, timeZone: TimeZone,
                      steps: inout Trace) -> Desired {
        let policy = lifecycle
        if scoped, let exclusion = rules.scope.exclusion(of: employee, timeZone: timeZone) {
            steps("scope: \(exclusion)")
            guard link != nil else { return .absent({ "out of scope: \(exclusion)" }) }
            return removal(policy.onVanished, because: "out of scope: \(exclusion)", steps: &steps)
        }
        steps("scope: included")

        if let leaving = leaverReason(employee, today: today) {
            steps("leaver: \(leaving); policy for leavers: \(policy.onLeaver.rawValue)")
            guard link != nil else { return .absent({ "not sent: \(leaving)" }) }
            return removal(policy.onLeaver, because: leaving, steps: &steps)
        }
        if employee.status == .leave {
            steps("on leave; policy for leave: \(policy.onLeave.rawValue)")
            if policy.onLeave != .keep {
                guard link != nil else { return .absent({ "not sent: on leave" }) }
                return removal(policy.onLeave, because: "on leave", steps: &steps)
            }
        }

        var missingRequired: String?
        for index in requiredReaders.indices where (requiredReaders[index].standard != nil ? requiredReaders[index].value(for: employee)
                                                    : required[index].value(for: employee)) == nil {
            missingRequired = required[index].target
            break
        }
        if let missing = missingRequired {
            let readable = employee.readableAttributes.contains(Employee.sourceAttribute(of: missing))
            let reason = readable ? "required attribute \(missing) has no value"
                : "required attribute \(missing) is not readable with this API credential"
            steps("required: \(reason)")
            return .absent({ "not sent: \(reason)" })
        }

        var desired: Desired
        let start = employee.hireDate
        if let start, start > today {
            let days = today.days(until: start)
            steps("starts on \(start), in \(days) days; pre-hire policy: \(policy.preHire)")
            switch policy.preHire {
            case .skip:
                desired = .absent({ "not sent yet: starts on \(start)" })
            case .archivedWithin(let window) where days <= window:
                desired = .state(.archived, { "archived until the start date \(start) (in \(days) days)" })
            case .archivedWithin(let window):
                desired = .absent({ "not sent yet: starts on \(start), more than \(window) days away" })
            case .draft:
                desired = .state(.draft, { "draft until the start date \(start)" })
            case .active:
                desired = .state(.active, { "active before the start date \(start)" })
            }
        } else if start == nil, employee.status == .onboarding, policy.preHire != .active {
            steps("onboarding without a start date")
            desired = .absent({ "not sent yet: onboarding without a start date" })
        } else {
            let started = { start.map { "started on \($0)" } ?? "employed" }
            steps(started())
            if let link, link.state == .archived, link.hasBeenActive {
                desired = .state(.active, { "restored: rehired, \(started())" })
            } else if let link, link.state == .archived {
                desired = .state(.active, { "activated: start date \(start?.description ?? "") reached" })
            } else {
                desired = .state(.active, { "active: \(started())" })
            }
        }

        if policy.requiresApproval, case .state(let state, _) = desired, state != .draft, link == nil || link?.state == .draft {
            if approved {
                steps("approved by an HR admin")
            } else {
                steps("approval required and not given")
                desired = .state(.draft, { "draft: awaiting approval by an HR admin" })
            }
        }
        return desired
    }

    struct Lifecycle {
        var preHire: Policy.PreHire
        var onLeave: Policy.Removal
        var onLeaver: Policy.Removal
        var onVanished: Policy.Removal
        var requiresApproval: Bool

        init(_ policy: Policy) {
            preHire = policy.preHire
            onLeave = policy.onLeave
            onLeaver = policy.onLeaver
            onVanished = policy.onVanished
            requiresApproval = policy.requiresApproval
        }
    }

    private func removal(_ rule: Policy.Removal, because reason: String, steps: inout Trace) -> Desired {
        switch rule {
        case .keep: .state(.active, { "kept: \(reason)" })
        case .archive: .state(.archived, { "archived: \(reason)" })
        case .delete: .state(.deleted, { "deleted: \(reason)" })
        }
    }

    /// Why the person counts as having left, or nil.
    func leaverReason(_ employee: Employee, today: LocalDate) -> String? {
        // A hire date after an earlier termination is a rehire: the old dates no longer count.
        func rehired(after date: LocalDate) -> Bool { employee.hireDate.map { $0 > date } ?? false }
        if let end = employee.terminationDate, end < today, !rehired(after: end) { return "termination date \(end) has passed" }
        if let last = employee.lastWorkingDay, last < today, !rehired(after: last) { return "last working day \(last) has passed" }
        if employee.status == .inactive { return "status is inactive" }
        return nil
    }

    // MARK: Diff

    enum Outcome: Sendable {
        case operation(Operation)
        case skip(String)
        case none
    }

    private func diff(_ id: Int, link: Link?, desired: Desired, values: [String?]) -> Outcome {
        let fingerprint = mapping.fingerprint(values)
        // Most people are unchanged: decide that before building their fields.
        if let link, link.fingerprint == fingerprint, case .state(let state, _) = desired, state == link.state { return .none }
        let fields = mapping.dictionary(values)
        guard let link else {
            switch desired {
            case .absent(let reason): return .skip(reason())
            case .state(.deleted, _): return .none
            case .state(let state, let reason):
                return .operation(Operation(kind: .create, personioID: id, targetID: nil, reason: reason(), resultingState: state,
                                            fields: fields, changedFields: [], held: nil))
            }
        }
        let changed = link.fingerprint == fingerprint ? [] : changedFields(link.fields, fields)
        let fieldsChanged = link.fingerprint != fingerprint
        switch desired {
        case .absent(let reason):
            return .skip(reason())
        case .state(let state, let reason):
            if state == link.state {
                guard fieldsChanged, state != .deleted else { return .none }
                return .operation(Operation(kind: .update, personioID: id, targetID: link.targetID,
                                            reason: "updated: " + (changed.isEmpty ? "fields changed" : changed.joined(separator: ", ") + " changed"),
                                            resultingState: state, fields: fields, changedFields: changed, held: nil))
            }
            let kind: Operation.Kind
            switch (link.state, state) {
            case (.deleted, .deleted): return .none
            case (.deleted, _):
                return .operation(Operation(kind: .create, personioID: id, targetID: nil, reason: reason(), resultingState: state,
                                            fields: fields, changedFields: [], held: nil))
            case (_, .deleted): kind = .delete
            case (_, .archived): kind = .archive
            case (.archived, .active): kind = link.hasBeenActive ? .restore : .activate
            case (.draft, .active): kind = .activate
            case (_, .draft): return .skip("kept as \(link.state.rawValue): \(reason())")
            default: kind = .update
            }
            var operation = stateChange(kind, id, link: link, to: state, reason: reason(), fields: fields)
            operation.changedFields = changed
            return .operation(operation)
        }
    }

    private func stateChange(_ kind: Operation.Kind, _ id: Int, link: Link, to state: LinkState, reason: String,
                             fields: [String: String]) -> Operation {
        Operation(kind: kind, personioID: id, targetID: link.targetID, reason: reason, resultingState: state, fields: fields,
                  changedFields: [], held: nil)
    }

    private func changedFields(_ old: [String: String]?, _ new: [String: String]) -> [String] {
        guard rules.storesFields, let old else { return [] }
        return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }

    // MARK: Seat limit and brake

    private func applySeatLimit(_ operations: inout [Operation], links: [Int: Link], active counted: Int?) {
        guard let limit = rules.policy.seatLimit else { return }
        var active = counted ?? 0
        if counted == nil { for link in links.values where link.state == .active { active += 1 } }
        // Seats freed in this run count first, so an archive makes room for a new hire at once.
        for operation in operations where operation.resultingState != .active && links[operation.personioID]?.state == .active {
            active -= 1
        }
        for index in operations.indices.sorted(by: { operations[$0].personioID < operations[$1].personioID }) {
            let operation = operations[index]
            guard operation.resultingState == .active, links[operation.personioID]?.state != .active else { continue }
            if active < limit {
                active += 1
            } else {
                operations[index] = hold(operation, reason: "held: seat limit \(limit) reached", keeping: links[operation.personioID]?.state)
            }
        }
    }

    private func applyBrake(_ operations: inout [Operation], links: [Int: Link], linked: Int, released: Bool) -> BrakeSummary? {
        let brake = rules.policy.brake
        let removals = operations.indices.filter { [.archive, .delete].contains(operations[$0].kind) }
        guard brake.enabled, removals.count >= brake.minimum,
              Double(removals.count) > brake.threshold * Double(linked) else { return nil }
        var summary = BrakeSummary(removals: removals.count, linked: linked, threshold: brake.threshold, minimum: brake.minimum,
                                   held: !released, released: released)
        guard !released else { return summary }
        summary.held = true
        for index in removals {
            let operation = operations[index]
            operations[index] = hold(operation, reason: "held by the deletion brake: \(operation.reason)",
                                     keeping: links[operation.personioID]?.state)
        }
        return summary
    }

    private func hold(_ operation: Operation, reason: String, keeping state: LinkState?) -> Operation {
        var held = operation
        held.kind = .hold
        held.held = operation.kind
        held.reason = reason
        held.resultingState = state
        return held
    }
}

extension LocalDate {
    /// The calendar date of `now` in `timeZone`.
    public static func today(_ now: Date, _ timeZone: TimeZone) -> LocalDate {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: now)
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        return LocalDate(daysSinceEpoch: days)
    }
}
