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
            links[employee.id] = Link(personioID: employee.id, targetID: "t\(employee.id)", state: .active,
                                      fingerprint: Fingerprint.of(fields), fields: fields)
        }
        let planner = Planner(rules: rules)
        let baseline = Self.kilobytes("VmRSS")

        var changed = employees
        for index in stride(from: 0, to: changed.count, by: 100) { changed[index].lastName = "Changed" }
        let unchangedInput = PlanInput(links: links, employees: employees, listing: .full(complete: true), now: now, timeZone: zone)
        let changedInput = PlanInput(links: links, employees: changed, listing: .full(complete: true), now: now, timeZone: zone)
        // Five plans of each; the median is reported, the first (cold) one too.
        var unchangedTimes: [Double] = []
        var changedTimes: [Double] = []
        var unchanged = planner.plan(unchangedInput)
        var withChanges = unchanged
        unchangedTimes.reserveCapacity(5)
        for _ in 0..<(ProcessInfo.processInfo.environment["ENGINE_LOOPS"].flatMap { Int($0) } ?? 5) {
            let unchangedStart = Date()
            unchanged = planner.plan(unchangedInput)
            unchangedTimes.append(Date().timeIntervalSince(unchangedStart))
            let changedStart = Date()
            withChanges = planner.plan(changedInput)
            changedTimes.append(Date().timeIntervalSince(changedStart))
        }
        let unchangedTime = unchangedTimes.sorted()[2]
        let changedTime = changedTimes.sorted()[2]
        let peak = Self.kilobytes("VmHWM")

        print(String(format: "%d people, nothing changed: %d operations in %.0f ms (median of 5; first %.0f ms)", people,
                     unchanged.operations.count, unchangedTime * 1000, unchangedTimes[0] * 1000))
        print(String(format: "%d people, 1 %% changed: %d operations (%d updates) in %.0f ms (median of 5; first %.0f ms)", people,
                     withChanges.operations.count, withChanges.count(.update), changedTime * 1000, changedTimes[0] * 1000))
        print("planned on \(ProcessInfo.processInfo.activeProcessorCount) processors (listings of 10,000 people or more are split)")
        print(String(format: "RSS with the input built %.0f MB; peak while planning %.0f MB (growth %.0f MB)",
                     Double(baseline) / 1024, Double(peak) / 1024, Double(peak - baseline) / 1024))
    }

    static func kilobytes(_ field: String) -> Int { ClientBenchmark.kilobytes(field) }
}
