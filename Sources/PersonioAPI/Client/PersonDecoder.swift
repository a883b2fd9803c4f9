import Foundation
import SyncEngine

/// Reads a v2 person and their employment into the same `Employee` the v1 path produces, under v1's
/// attribute keys (`employment_start_date` → `hireDate`, readable as `hire_date`). v2 names org
/// units, offices and legal entities by id only: the client names departments, teams and legal
/// entities from `/v2/org-units` and `/v2/legal-entities`; an office's `name` stays empty.
struct PersonDecoder {
    let timeZone: TimeZone

    func decode(person: JSONValue, employments: [JSONValue]) -> (Employee?, [DecodeIssue]) {
        guard let idValue = person["id"], let id = EmployeeDecoder.integer(idValue) else {
            return (nil, [DecodeIssue(employeeID: nil, attribute: "id", problem: "missing or not a number")])
        }
        var issues: [DecodeIssue] = []
        func note(_ key: String, _ problem: String) { issues.append(DecodeIssue(employeeID: id, attribute: key, problem: problem)) }
        var employee = Employee(id: id)
        var readable: Set<String> = ["id"]
        func has(_ value: JSONValue?, _ key: String) -> JSONValue? {
            guard let value else { return nil }
            readable.insert(key)
            return value
        }
        employee.email = EmployeeDecoder.text(has(person["email"], "email"))
        employee.firstName = EmployeeDecoder.text(has(person["first_name"], "first_name"))
        employee.lastName = EmployeeDecoder.text(has(person["last_name"], "last_name"))
        employee.preferredName = EmployeeDecoder.text(has(person["preferred_name"], "preferred_name"))
        if let gender = EmployeeDecoder.text(has(person["gender"], "gender")), gender != "UNSPECIFIED" { employee.gender = gender.lowercased() }
        employee.createdAt = instant(has(person["created_at"], "created_at"), "created_at", note: note)
        let personUpdated = instant(has(person["updated_at"], "last_modified_at"), "updated_at", note: note)
        for attribute in person["custom_attributes"]?.array ?? [] {
            guard let key = attribute["id"]?.string else { continue }
            readable.insert(key)
            employee.custom[key] = custom(attribute, key: key, note: note)
        }
        if let employment = Self.current(employments) {
            read(employment, into: &employee, readable: &readable, note: note)
        } else if let status = EmployeeDecoder.text(has(person["status"], "status")) {
            employee.status = EmploymentStatus(status)
        }
        let employmentUpdated = employee.lastModifiedAt
        employee.lastModifiedAt = [personUpdated, employmentUpdated].compactMap { $0 }.max()
        employee.readableAttributes = readable
        return (employee, issues)
    }

    /// Fills in the names of the units an employment names by id (`department:101` → "Sales").
    static func name(_ employee: inout Employee, from names: [String: String]) {
        func named(_ unit: OrgUnitRef?, _ type: String) -> OrgUnitRef? {
            guard var unit, let id = unit.id, let name = names["\(type):\(id)"] else { return unit }
            unit.name = name
            return unit
        }
        employee.department = named(employee.department, "department")
        employee.team = named(employee.team, "team")
        employee.subcompany = named(employee.subcompany, "legal_entity")
    }

    /// The employment that describes the person now: one that is not inactive, else the latest started.
    static func current(_ employments: [JSONValue]) -> JSONValue? {
        let live = employments.filter { $0["status"]?.string != "INACTIVE" }
        let candidates = live.isEmpty ? employments : live
        return candidates.max { ($0["employment_start_date"]?.string ?? "") < ($1["employment_start_date"]?.string ?? "") }
    }

    private func read(_ e: JSONValue, into employee: inout Employee, readable: inout Set<String>, note: (String, String) -> Void) {
        func has(_ value: JSONValue?, _ key: String) -> JSONValue? {
            guard let value else { return nil }
            readable.insert(key)
            return value
        }
        employee.status = EmployeeDecoder.text(has(e["status"], "status")).map(EmploymentStatus.init)
        employee.position = EmployeeDecoder.text(has(e["position"], "position")?["title"])
        if let type = EmployeeDecoder.text(has(e["type"], "employment_type")), type != "UNSPECIFIED" { employee.employmentType = type.lowercased() }
        if let hours = has(e["weekly_working_hours"], "weekly_working_hours") { employee.weeklyWorkingHours = hours.number }
        employee.hireDate = date(has(e["employment_start_date"], "hire_date"), "employment_start_date", note: note)
        employee.contractEndDate = date(has(e["contract_end_date"], "contract_end_date"), "contract_end_date", note: note)
        employee.probationPeriodEnd = date(has(e["probation_end_date"], "probation_period_end"), "probation_end_date", note: note)
        let termination = e["termination"]
        employee.terminationDate = date(has(termination?["termination_date"] ?? e["employment_end_date"], "termination_date"),
                                        "termination_date", note: note)
        employee.lastWorkingDay = date(has(termination?["last_working_day"], "last_working_day"), "last_working_day", note: note)
        employee.lastModifiedAt = instant(e["updated_at"], "employment.updated_at", note: note)
        if let supervisor = has(e["supervisor"], "supervisor")?["id"].flatMap(EmployeeDecoder.integer) {
            employee.supervisor = PersonRef(id: supervisor)
        }
        employee.office = unit(has(e["office"], "office"))
        employee.subcompany = unit(has(e["legal_entity"], "subcompany"))
        for orgUnit in e["org_units"]?.array ?? [] {
            switch orgUnit["type"]?.string?.lowercased() {
            case "department"?: employee.department = unit(has(orgUnit, "department"))
            case "team"?: employee.team = unit(has(orgUnit, "team"))
            default: break
            }
        }
    }

    private func unit(_ value: JSONValue?) -> OrgUnitRef? {
        guard let value, let id = value["id"] else { return nil }
        return OrgUnitRef(id: EmployeeDecoder.integer(id), name: "")
    }

    private func custom(_ attribute: JSONValue, key: String, note: (String, String) -> Void) -> CustomAttributeValue {
        let label = attribute["label"]?.string ?? attribute["global_id"]?.string ?? key
        let value = attribute["value"]
        guard !EmployeeDecoder.isEmpty(value) else { return CustomAttributeValue(label: label, value: .empty) }
        switch attribute["type"]?.string?.uppercased() {
        case "DATE"?:
            return CustomAttributeValue(label: label, value: date(value, key, note: note).map { .date($0) } ?? .empty)
        case "INT"?, "DOUBLE"?:
            guard let text = EmployeeDecoder.text(value), let number = Double(text) else {
                note(key, "not a number")
                return CustomAttributeValue(label: label, value: .empty)
            }
            return CustomAttributeValue(label: label, value: .number(number))
        default:
            if case .array(let items)? = value {
                return CustomAttributeValue(label: label, value: .text(items.compactMap { EmployeeDecoder.text($0) }.joined(separator: ",")))
            }
            return CustomAttributeValue(label: label, value: EmployeeDecoder.text(value).map { .text($0) } ?? .empty)
        }
    }

    private func date(_ value: JSONValue?, _ key: String, note: (String, String) -> Void) -> LocalDate? {
        guard !EmployeeDecoder.isEmpty(value) else { return nil }
        if let text = value?.string, let date = LocalDate(text.prefix(10)) { return date }
        note(key, "not a date")
        return nil
    }

    private func instant(_ value: JSONValue?, _ key: String, note: (String, String) -> Void) -> Date? {
        guard !EmployeeDecoder.isEmpty(value) else { return nil }
        if let text = value?.string, let date = PersonioTimestamp.parse(text, defaultTimeZone: timeZone) { return date }
        note(key, "not a timestamp")
        return nil
    }
}
