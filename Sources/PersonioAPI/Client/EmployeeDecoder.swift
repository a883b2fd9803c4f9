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
/// One attribute as Personio sends it: `"key": {"label", "value", "type", "universal_id"}`.
struct AttributeEntry {
    var key: String
    var label: String?
    var type: String?
    var value: JSONValue
}

struct EmployeeDecoder {
    let timeZone: TimeZone

    /// Decodes an attribute map already parsed into a dictionary (single employees, tests).
    func decode(_ attributes: [String: JSONValue]) -> (Employee?, [DecodeIssue]) {
        decode(attributes.map { key, wrapper in
            AttributeEntry(key: key, label: wrapper["label"]?.string, type: wrapper["type"]?.string, value: Self.value(wrapper) ?? .null)
        })
    }

    /// Standard attributes the decoder reads; others are only recorded as readable.
    static let decodedKeys: Set<String> = [
        "id", "first_name", "last_name", "preferred_name", "email", "gender", "position", "employment_type", "status",
        "weekly_working_hours", "vacation_day_balance", "hire_date", "contract_end_date", "termination_date",
        "last_working_day", "probation_period_end", "created_at", "last_modified_at", "department", "office",
        "subcompany", "team", "supervisor",
    ]

    /// `readableKeys`: the attribute keys of this employee when the caller already has them as a
    /// set (all employees of a page usually share one), saving a set per employee.
    func decode(_ attributes: [AttributeEntry], readableKeys: Set<String>? = nil) -> (Employee?, [DecodeIssue]) {
        var issues: [DecodeIssue] = []
        guard let id = attributes.first(where: { $0.key == "id" }).flatMap({ Self.integer($0.value) }) else {
            return (nil, [DecodeIssue(employeeId: nil, attribute: "id", problem: "missing or not a number")])
        }
        var employee = Employee(id: id)
        employee.readableAttributes = readableKeys ?? Set(attributes.map(\.key)).union(["id"])
        func note(_ key: String, _ problem: String) { issues.append(DecodeIssue(employeeId: id, attribute: key, problem: problem)) }

        for entry in attributes where entry.key != "id" {
            let key = entry.key
            let value: JSONValue? = entry.value
            if key.hasPrefix("dynamic_") {
                employee.custom[key] = custom(key, label: entry.label, type: entry.type, value, note: note)
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
        case .string(let text)?: text.isBlank
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
        case .string(let text): Int(text) ?? Int(text.trimmingWhitespace())
        default: nil
        }
    }

    private func number(_ key: String, _ value: JSONValue?, note: (String, String) -> Void) -> Double? {
        guard !Self.isEmpty(value) else { return nil }
        switch value {
        case .number(let number)?: return number
        case .string(let text)?:
            if let number = Double(text) ?? Double(String(text.trimmingWhitespace().map { $0 == "," ? "." : $0 })) { return number }
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

    private func custom(_ key: String, label: String?, type: String?, _ value: JSONValue?,
                        note: (String, String) -> Void) -> CustomAttributeValue {
        let label = label ?? key
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

/// Reads a page of employees straight from bytes into attribute rows, without a dictionary per
/// attribute: the part of reading Personio that costs the most CPU.
enum EmployeePageReader {
    struct Page {
        var totalElements: Int?
        /// One entry per item of `data`; nil for an item without `attributes`.
        var items: [[AttributeEntry]?]
    }

    static func read(_ body: [UInt8]) throws(JSONParseError) -> Page {
        var page = Page(totalElements: nil, items: [])
        var sawData = false
        try body.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) in
            var scanner = JSONScanner(bytes: buffer)
            try scanner.object { scanner, key throws(JSONParseError) in
                switch key {
                case "metadata":
                    page.totalElements = try scanner.value()["total_elements"]?.int
                case "data":
                    sawData = true
                    try scanner.array { scanner throws(JSONParseError) in page.items.append(try item(&scanner)) }
                default:
                    try scanner.skipValue()
                }
            }
        }
        guard sawData else { throw JSONParseError(message: "no data array", offset: 0) }
        return page
    }

    private static func item(_ scanner: inout JSONScanner) throws(JSONParseError) -> [AttributeEntry]? {
        var entries: [AttributeEntry]?
        try scanner.object { scanner, key throws(JSONParseError) in
            guard key == "attributes" else { try scanner.skipValue(); return }
            var list: [AttributeEntry] = []
            list.reserveCapacity(48)
            try scanner.object { scanner, attribute throws(JSONParseError) in list.append(try entry(attribute, &scanner)) }
            entries = list
        }
        return entries
    }

    /// `{"label":…,"value":…,"type":…,"universal_id":…}`; anything else is taken as a bare value.
    private static func entry(_ key: String, _ scanner: inout JSONScanner) throws(JSONParseError) -> AttributeEntry {
        let wanted = key.hasPrefix("dynamic_") || EmployeeDecoder.decodedKeys.contains(key)
        guard try scanner.peek() == UInt8(ascii: "{") else {
            if !wanted { try scanner.skipValue(); return AttributeEntry(key: key, label: nil, type: nil, value: .null) }
            return AttributeEntry(key: key, label: nil, type: nil, value: try scanner.value())
        }
        var label: String?
        var type: String?
        var value: JSONValue?
        var others: [String: JSONValue] = [:]
        try scanner.object { scanner, member throws(JSONParseError) in
            switch member {
            case "value" where !wanted: try scanner.skipValue(); value = .null
            case "value": value = try scanner.value()
            case "label": if try scanner.peek() == UInt8(ascii: "\"") { label = try scanner.string() } else { try scanner.skipValue() }
            case "type": if try scanner.peek() == UInt8(ascii: "\"") { type = try scanner.string() } else { try scanner.skipValue() }
            case "universal_id", "currency": try scanner.skipValue()
            default: if wanted { others[member] = try scanner.value() } else { try scanner.skipValue() }
            }
        }
        if let value { return AttributeEntry(key: key, label: label, type: type, value: value) }
        // Not a labelled wrapper: a bare nested value such as {"type":"Department","attributes":{…}}.
        if let type { others["type"] = .string(type) }
        if let label { others["label"] = .string(label) }
        return AttributeEntry(key: key, label: nil, type: nil, value: .object(others))
    }
}
