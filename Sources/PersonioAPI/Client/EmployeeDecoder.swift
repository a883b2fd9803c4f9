import Foundation
import SyncEngine

/// A value of one employee that could not be read; the rest of the employee is still used.
public struct DecodeIssue: Sendable, Equatable, CustomStringConvertible {
    public var employeeId: Int?
    public var attribute: String
    public var problem: String

    public var description: String {
        "employee \(employeeId.map(String.init) ?? "?"), attribute \(attribute): \(problem)"
    }
}

/// Reads Personio's attribute maps (`{"first_name": {"label", "value", "type", "universal_id"}, …}`)
/// into `Employee`, tolerating every empty form (`""`, `null`, `[]`), numbers sent as strings and
/// both date forms.
struct EmployeeDecoder {
    let timeZone: TimeZone

    func decode(_ attributes: [String: JSONValue]) -> (Employee?, [DecodeIssue]) {
        var issues: [DecodeIssue] = []
        guard let id = attributes["id"].flatMap({ Self.value($0) }).flatMap(Self.integer) else {
            return (nil, [DecodeIssue(employeeId: nil, attribute: "id", problem: "missing or not a number")])
        }
        var employee = Employee(id: id)
        func note(_ key: String, _ problem: String) { issues.append(DecodeIssue(employeeId: id, attribute: key, problem: problem)) }

        for (key, wrapper) in attributes where key != "id" {
            employee.readableAttributes.insert(key)
            let value = Self.value(wrapper)
            if key.hasPrefix("dynamic_") {
                employee.custom[key] = custom(key, wrapper, value, note: note)
                continue
            }
            switch key {
            case "first_name": employee.firstName = Self.text(value)
            case "last_name": employee.lastName = Self.text(value)
            case "preferred_name": employee.preferredName = Self.text(value)
            case "email": employee.email = Self.text(value)
            case "gender": employee.gender = Self.text(value)
            case "position": employee.position = Self.text(value)
            case "employment_type": employee.employmentType = Self.text(value)
            case "status": employee.status = Self.text(value).map(EmploymentStatus.init)
            case "weekly_working_hours": employee.weeklyWorkingHours = number(key, value, note: note)
            case "vacation_day_balance": employee.vacationDayBalance = number(key, value, note: note)
            case "hire_date": employee.hireDate = date(key, value, note: note)
            case "contract_end_date": employee.contractEndDate = date(key, value, note: note)
            case "termination_date": employee.terminationDate = date(key, value, note: note)
            case "last_working_day": employee.lastWorkingDay = date(key, value, note: note)
            case "probation_period_end": employee.probationPeriodEnd = date(key, value, note: note)
            case "created_at": employee.createdAt = instant(key, value, note: note)
            case "last_modified_at": employee.lastModifiedAt = instant(key, value, note: note)
            case "department": employee.department = unit(key, value, note: note)
            case "office": employee.office = unit(key, value, note: note)
            case "subcompany": employee.subcompany = unit(key, value, note: note)
            case "team": employee.team = unit(key, value, note: note)
            case "supervisor": employee.supervisor = person(key, value, note: note)
            default: break
            }
        }
        return (employee, issues)
    }

    /// The `value` of a labelled attribute; a bare value is taken as it is.
    static func value(_ wrapper: JSONValue) -> JSONValue? {
        if case .object(let object) = wrapper, object["label"] != nil || object["type"] != nil, let value = object["value"] {
            return value
        }
        if case .object(let object) = wrapper, object.count == 1, let value = object["value"] { return value }
        return wrapper
    }

    static func isEmpty(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.trimmingCharacters(in: .whitespaces).isEmpty
        case .array(let items)?: items.isEmpty
        case .object(let object)?: object.isEmpty
        default: false
        }
    }

    static func text(_ value: JSONValue?) -> String? {
        guard !isEmpty(value) else { return nil }
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag)?: return String(flag)
        default: return nil
        }
    }

    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .number(let number) where number == number.rounded() && abs(number) < 1e15: Int(number)
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    private func number(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> Double? {
        guard !Self.isEmpty(value) else { return nil }
        switch value {
        case .number(let number)?: return number
        case .string(let text)?:
            if let number = Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")) { return number }
            note(key, "not a number: \"\(text.prefix(40))\"")
        default: note(key, "not a number")
        }
        return nil
    }

    private func date(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> LocalDate? {
        guard !Self.isEmpty(value) else { return nil }
        if case .string(let text)? = value, let date = LocalDate(text) { return date }
        note(key, "not a date: \(Self.text(value).map { "\"\($0.prefix(40))\"" } ?? "wrong type")")
        return nil
    }

    private func instant(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> Date? {
        guard !Self.isEmpty(value) else { return nil }
        if case .string(let text)? = value, let date = PersonioTimestamp.parse(text, defaultTimeZone: timeZone) { return date }
        note(key, "not a timestamp: \(Self.text(value).map { "\"\($0.prefix(40))\"" } ?? "wrong type")")
        return nil
    }

    /// `{"type":"Department","attributes":{"id":1,"name":"Sales"}}`; older payloads give just a name.
    private func unit(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> OrgUnitRef? {
        guard !Self.isEmpty(value) else { return nil }
        if case .string(let name)? = value { return OrgUnitRef(id: nil, name: name) }
        guard let attributes = value?["attributes"]?.object else {
            note(key, "expected an object with attributes")
            return nil
        }
        let id = attributes["id"].flatMap { Self.value($0) }.flatMap(Self.integer)
        guard let name = attributes["name"].flatMap({ Self.text(Self.value($0)) }) else {
            return id.map { OrgUnitRef(id: $0, name: "") }
        }
        return OrgUnitRef(id: id, name: name)
    }

    /// `{"type":"Employee","attributes":{"id":{"label":"ID","value":12,…},…}}`.
    private func person(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> PersonRef? {
        guard !Self.isEmpty(value) else { return nil }
        guard let attributes = value?["attributes"]?.object,
              let id = attributes["id"].flatMap({ Self.value($0) }).flatMap(Self.integer) else {
            note(key, "expected an employee with an id")
            return nil
        }
        return PersonRef(id: id, email: attributes["email"].flatMap { Self.text(Self.value($0)) },
                         firstName: attributes["first_name"].flatMap { Self.text(Self.value($0)) },
                         lastName: attributes["last_name"].flatMap { Self.text(Self.value($0)) })
    }

    private func custom(_ key: String, _ wrapper: JSONValue, _ value: JSONValue?, note: (String, String) -> Void) -> CustomAttributeValue {
        let label = wrapper["label"]?.string ?? key
        let type = wrapper["type"]?.string
        guard !Self.isEmpty(value) else { return CustomAttributeValue(label: label, value: .empty) }
        switch (type, value) {
        case ("date", _):
            if let date = date(key, value, note: note) { return CustomAttributeValue(label: label, value: .date(date)) }
            return CustomAttributeValue(label: label, value: .empty)
        case ("integer", _), ("decimal", _):
            if let number = number(key, value, note: note) { return CustomAttributeValue(label: label, value: .number(number)) }
            return CustomAttributeValue(label: label, value: .empty)
        case (_, .number(let number)?):
            return CustomAttributeValue(label: label, value: .number(number))
        case (_, .array(let items)?):
            return CustomAttributeValue(label: label, value: .text(items.compactMap { Self.text($0) }.joined(separator: ",")))
        default:
            if let text = Self.text(value) { return CustomAttributeValue(label: label, value: .text(text)) }
            note(key, "unsupported value")
            return CustomAttributeValue(label: label, value: .empty)
        }
    }
}
