import Foundation
import SyncEngine

/// Plans for a large connection: once with 1 % of people changed, once with nothing changed.
struct EngineBenchmark {
    func run(people: Int) {
        let now = Date(timeIntervalSince1970: 1_795_341_600)
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let rules = Preset.timeTracking.rules()
        var employees: [Employee] = []
        employees.reserveCapacity(people)
        for id in 1...people {
            var employee = Employee(id: id)
            employee.firstName = "First\(id)"
            employee.lastName = "Last\(id)"
            employee.email = "person\(id)@acme.example"
            employee.status = .active
            employee.hireDate = LocalDate("2020-01-01")
            employee.department = OrgUnitRef(id: id % 9, name: "Department \(id % 9)")
            employee.position = "Position \(id % 40)"
            employee.readableAttributes = ["id", "first_name", "last_name", "email", "status", "hire_date", "department", "position"]
            employees.append(employee)
        }
        var links: [Int: Link] = [:]
        links.reserveCapacity(people)
        for employee in employees {
            let fields = rules.mapping.apply(to: employee, timeZone: zone)
            links[employee.id] = Link(personioId: employee.id, targetId: "t\(employee.id)", state: .active,
                                      fingerprint: Fingerprint.of(fields), fields: fields)
        }
        let planner = Planner(rules: rules)
        let baseline = Self.kilobytes("VmRSS")

        let unchangedStart = Date()
        let unchanged = planner.plan(PlanInput(links: links, employees: employees, listing: .full(complete: true), now: now, timeZone: zone))
        let unchangedTime = Date().timeIntervalSince(unchangedStart)

        var changed = employees
        for index in stride(from: 0, to: changed.count, by: 100) { changed[index].lastName = "Changed" }
        let changedStart = Date()
        let withChanges = planner.plan(PlanInput(links: links, employees: changed, listing: .full(complete: true), now: now, timeZone: zone))
        let changedTime = Date().timeIntervalSince(changedStart)
        let peak = Self.kilobytes("VmHWM")

        print(String(format: "%d people, nothing changed: %d operations in %.0f ms", people, unchanged.operations.count, unchangedTime * 1000))
        print(String(format: "%d people, 1 %% changed: %d operations (%d updates) in %.0f ms", people, withChanges.operations.count,
                     withChanges.count(.update), changedTime * 1000))
        print(String(format: "RSS with the input built %.0f MB; peak while planning %.0f MB (growth %.0f MB)",
                     Double(baseline) / 1024, Double(peak) / 1024, Double(peak - baseline) / 1024))
    }

    static func kilobytes(_ field: String) -> Int { ClientBenchmark.kilobytes(field) }
}
