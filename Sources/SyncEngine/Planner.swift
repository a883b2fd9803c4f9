import Foundation

/// Decides what to do to each person, and why. Pure: the same input gives the same plan.
public struct Planner: Sendable {
    public let rules: ConnectionRules
    private let mapping: CompiledMapping
    private let required: [(name: String, source: CompiledMapping.CompiledSource)]

    public init(rules: ConnectionRules) {
        self.rules = rules
        mapping = CompiledMapping(rules.mapping)
        required = rules.policy.requiredAttributes.map { ($0, CompiledMapping.CompiledSource(.attribute($0))) }
    }

    public func plan(_ input: PlanInput) -> Plan {
        var trace: [String]? = nil
        return plan(input, trace: &trace, only: nil)
    }

    /// The plan for one person with every rule that fired, for "explain" and previews.
    public func explain(_ personioId: Int, in input: PlanInput) -> (operations: [Operation], skipped: [Skip], steps: [String]) {
        var trace: [String]? = []
        let plan = plan(input, trace: &trace, only: personioId)
        return (plan.operations.filter { $0.personioId == personioId }, plan.skipped.filter { $0.personioId == personioId }, trace ?? [])
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
        let isSorted = zip(employees, employees.dropFirst()).allSatisfy { $0.id < $1.id }
        let order = isSorted ? Array(employees.indices) : employees.indices.sorted { employees[$0].id < employees[$1].id }
        listedIds.reserveCapacity(employees.count)

        for position in order {
            let employee = employees[position]
            if employee.id == listedIds.last { continue }  // in id order, a duplicate follows its first
            listedIds.append(employee.id)
            let link = input.links[employee.id]
            var steps = Trace(enabled: only == employee.id)
            let values = mapping.values(for: employee)
            let desired = desiredState(employee, link: link, today: today, approved: input.approved.contains(employee.id),
                                       timeZone: input.timeZone, steps: &steps)
            let outcome = diff(employee.id, link: link, desired: desired, values: values)
            if only == employee.id { trace = steps.steps }
            switch outcome {
            case .operation(let operation): operations.append(operation)
            case .skip(let reason): skipped.append(Skip(personioId: employee.id, reason: reason))
            case .none: break
            }
        }

        if case .full = input.listing, complete {
            let vanished = input.links.filter { $0.value.state != .deleted && !Self.contains(listedIds, $0.key) }
            for (id, link) in vanished.sorted(by: { $0.key < $1.key }) {
                let reason = "no longer returned by Personio"
                if only == id { trace = ["not in a complete full listing: \(reason)", "policy for vanished people: \(rules.policy.onVanished.rawValue)"] }
                switch rules.policy.onVanished {
                case .keep: skipped.append(Skip(personioId: id, reason: "kept: \(reason)"))
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
                skipped.append(Skip(personioId: operation.personioId,
                                    reason: "not deleted now: \(operation.reason) — the listing was not a complete full listing"))
                return nil
            }
        }

        applySeatLimit(&operations, links: input.links)
        let brake = applyBrake(&operations, links: input.links, released: input.brakeReleased)
        operations.sort { ($0.personioId, $0.kind.rawValue) < ($1.personioId, $1.kind.rawValue) }
        skipped.sort { ($0.personioId, $0.reason) < ($1.personioId, $1.reason) }
        return Plan(operations: operations, skipped: skipped, brake: brake)
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

    func desiredState(_ employee: Employee, link: Link?, today: LocalDate, approved: Bool, timeZone: TimeZone,
                      steps: inout Trace) -> Desired {
        let policy = rules.policy
        if let exclusion = rules.scope.exclusion(of: employee, timeZone: timeZone) {
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

        if let missing = required.first(where: { $0.source.value(for: employee)?.isEmpty ?? true })?.name {
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
            let started = start.map { "started on \($0)" } ?? "employed"
            steps(started)
            if let link, link.state == .archived, link.hasBeenActive {
                desired = .state(.active, { "restored: rehired, \(started)" })
            } else if let link, link.state == .archived {
                desired = .state(.active, { "activated: start date \(start?.description ?? "") reached" })
            } else {
                desired = .state(.active, { "active: \(started)" })
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

    private func removal(_ rule: Policy.Removal, because reason: String, steps: inout Trace) -> Desired {
        switch rule {
        case .keep: .state(.active, { "kept: \(reason)" })
        case .archive: .state(.archived, { "archived: \(reason)" })
        case .delete: .state(.deleted, { "deleted: \(reason)" })
        }
    }

    /// Why the person counts as having left, or nil.
    func leaverReason(_ employee: Employee, today: LocalDate) -> String? {
        if let end = employee.terminationDate, end < today { return "termination date \(end) has passed" }
        if let last = employee.lastWorkingDay, last < today { return "last working day \(last) has passed" }
        if employee.status == .inactive { return "status is inactive" }
        return nil
    }

    // MARK: Diff

    enum Outcome {
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
                return .operation(Operation(kind: .create, personioId: id, targetId: nil, reason: reason(), resultingState: state,
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
                return .operation(Operation(kind: .update, personioId: id, targetId: link.targetId,
                                            reason: "updated: " + (changed.isEmpty ? "fields changed" : changed.joined(separator: ", ") + " changed"),
                                            resultingState: state, fields: fields, changedFields: changed, held: nil))
            }
            let kind: Operation.Kind
            switch (link.state, state) {
            case (.deleted, .deleted): return .none
            case (.deleted, _):
                return .operation(Operation(kind: .create, personioId: id, targetId: nil, reason: reason(), resultingState: state,
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
        Operation(kind: kind, personioId: id, targetId: link.targetId, reason: reason, resultingState: state, fields: fields,
                  changedFields: [], held: nil)
    }

    private func changedFields(_ old: [String: String]?, _ new: [String: String]) -> [String] {
        guard rules.storesFields, let old else { return [] }
        return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }

    // MARK: Seat limit and brake

    private func applySeatLimit(_ operations: inout [Operation], links: [Int: Link]) {
        guard let limit = rules.policy.seatLimit else { return }
        var active = links.values.filter { $0.state == .active }.count
        // Seats freed in this run count first, so an archive makes room for a new hire at once.
        for operation in operations where operation.resultingState != .active && links[operation.personioId]?.state == .active {
            active -= 1
        }
        for index in operations.indices.sorted(by: { operations[$0].personioId < operations[$1].personioId }) {
            let operation = operations[index]
            guard operation.resultingState == .active, links[operation.personioId]?.state != .active else { continue }
            if active < limit {
                active += 1
            } else {
                operations[index] = hold(operation, reason: "held: seat limit \(limit) reached", keeping: links[operation.personioId]?.state)
            }
        }
    }

    private func applyBrake(_ operations: inout [Operation], links: [Int: Link], released: Bool) -> BrakeSummary? {
        let brake = rules.policy.brake
        let removals = operations.indices.filter { [.archive, .delete].contains(operations[$0].kind) }
        let linked = links.values.filter { $0.state != .deleted }.count
        guard brake.enabled, removals.count >= brake.minimum,
              Double(removals.count) > brake.threshold * Double(linked) else { return nil }
        var summary = BrakeSummary(removals: removals.count, linked: linked, threshold: brake.threshold, minimum: brake.minimum,
                                   held: !released, released: released)
        guard !released else { return summary }
        summary.held = true
        for index in removals {
            let operation = operations[index]
            operations[index] = hold(operation, reason: "held by the deletion brake: \(operation.reason)",
                                     keeping: links[operation.personioId]?.state)
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
