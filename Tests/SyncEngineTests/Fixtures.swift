import Foundation
import SyncEngine

/// 2026-11-22 11:00 in Berlin.
let now = Date(timeIntervalSince1970: 1_795_341_600)
let berlin = TimeZone(identifier: "Europe/Berlin")!
let today = LocalDate(year: 2026, month: 11, day: 22)!

func person(_ id: Int, first: String = "Ada", last: String = "Lovelace", status: EmploymentStatus = .active,
            hire: LocalDate? = LocalDate("2020-01-01"), termination: LocalDate? = nil, department: String? = "Engineering",
            position: String? = "Engineer", readable: Set<String>? = nil) -> Employee {
    var employee = Employee(id: id)
    employee.firstName = first
    employee.lastName = last
    employee.email = "\(first.lowercased()).\(id)@acme.example"
    employee.status = status
    employee.hireDate = hire
    employee.terminationDate = termination
    employee.department = department.map { OrgUnitRef(id: 1, name: $0) }
    employee.position = position
    employee.readableAttributes = readable ?? ["id", "first_name", "last_name", "email", "status", "hire_date", "termination_date",
                                               "department", "position"]
    return employee
}

/// The link the target would hold after `employee` was applied in `state`.
func link(for employee: Employee, _ state: LinkState, rules: ConnectionRules, hasBeenActive: Bool = false) -> Link {
    let fields = rules.mapping.apply(to: employee, timeZone: berlin)
    return Link(personioID: employee.id, targetID: "t\(employee.id)", state: state, fingerprint: Fingerprint.of(fields),
                fields: fields, hasBeenActive: hasBeenActive)
}

func plan(_ rules: ConnectionRules, _ employees: [Employee], links: [Link] = [], listing: PlanInput.Listing = .full(complete: true),
          approved: Set<Int> = [], released: Bool = false, withheld: Set<String> = []) -> Plan {
    Planner(rules: rules).plan(PlanInput(links: Dictionary(uniqueKeysWithValues: links.map { ($0.personioID, $0) }),
                                         employees: employees, listing: listing, now: now, timeZone: berlin,
                                         approved: approved, brakeReleased: released, withheld: withheld))
}

/// What the target holds after applying `plan` to `links` (as the hub will do).
func apply(_ plan: Plan, to links: [Int: Link]) -> [Int: Link] {
    var result = links
    for operation in plan.operations {
        guard operation.kind != .hold, let state = operation.resultingState else { continue }
        let previous = result[operation.personioID]
        result[operation.personioID] = Link(
            personioID: operation.personioID, targetID: previous?.targetID ?? "t\(operation.personioID)", state: state,
            fingerprint: Fingerprint.of(state == .deleted ? [:] : operation.fields), fields: operation.fields,
            hasBeenActive: (previous?.hasBeenActive ?? false) || state == .active)
    }
    return result
}
