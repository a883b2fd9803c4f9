import Foundation
import SyncEngine

/// A value of one employee that could not be read; the rest of the employee is still used.
public struct DecodeIssue: Sendable, Equatable, CustomStringConvertible {
    public var employeeID: Int?
    public var attribute: String
    public var problem: String

    public var description: String {
        "employee \(employeeID.map(String.init) ?? "?"), attribute \(attribute): \(problem)"
    }
}

/// Reads Personio's attribute maps (`{"first_name": {"label", "value", "type", "universal_id"}, …}`)
/// into `Employee`, tolerating every empty form (`""`, `null`, `[]`), numbers sent as strings and
/// both date forms.
/// One attribute as Personio sends it: `"key": {"label", "value", "type", "universal_id"}`.
struct AttributeEntry {
    var key: String
    /// What the decoder does with it; nil: only recorded as readable.
    var field: EmployeeField?
    var label: String?
    var type: String?
    var value: JSONValue
    /// A department, office, subcompany, team or supervisor read straight from the bytes.
    var nested: Nested? = nil

    enum Nested {
        case unit(OrgUnitRef)
        case person(PersonRef)
    }
}

/// The attributes the decoder reads, resolved from their key once (per key and page, not per
/// employee: comparing key strings for every attribute of 100,000 employees showed in profiles).
enum EmployeeField: Sendable {
    case id, firstName, lastName, preferredName, email, gender, position, employmentType, status
    case weeklyWorkingHours, vacationDayBalance, hireDate, contractEndDate, terminationDate, lastWorkingDay
    case probationPeriodEnd, createdAt, lastModifiedAt, department, office, subcompany, team, supervisor
    /// `dynamic_<id>`.
    case custom

    static let byKey: [String: EmployeeField] = [
        "id": .id, "first_name": .firstName, "last_name": .lastName, "preferred_name": .preferredName, "email": .email,
        "gender": .gender, "position": .position, "employment_type": .employmentType, "status": .status,
        "weekly_working_hours": .weeklyWorkingHours, "vacation_day_balance": .vacationDayBalance, "hire_date": .hireDate,
        "contract_end_date": .contractEndDate, "termination_date": .terminationDate, "last_working_day": .lastWorkingDay,
        "probation_period_end": .probationPeriodEnd, "created_at": .createdAt, "last_modified_at": .lastModifiedAt,
        "department": .department, "office": .office, "subcompany": .subcompany, "team": .team, "supervisor": .supervisor,
    ]

    var isNested: Bool {
        switch self {
        case .department, .office, .subcompany, .team, .supervisor: true
        default: false
        }
    }

    init?(key: String) {
        if key.hasPrefix("dynamic_") { self = .custom; return }
        guard let field = Self.byKey[key] else { return nil }
        self = field
    }
}

struct EmployeeDecoder {
    let timeZone: TimeZone

    /// Decodes an attribute map already parsed into a dictionary (single employees, tests).
    func decode(_ attributes: [String: JSONValue]) -> (Employee?, [DecodeIssue]) {
        decode(attributes.map { key, wrapper in
            AttributeEntry(key: key, field: EmployeeField(key: key), label: wrapper["label"]?.string, type: wrapper["type"]?.string,
                           value: Self.value(wrapper) ?? .null)
        })
    }

    /// `readableKeys`: the attribute keys of this employee when the caller already has them as a
    /// set (all employees of a page usually share one), saving a set per employee.
    func decode(_ attributes: [AttributeEntry], readableKeys: Set<String>? = nil) -> (Employee?, [DecodeIssue]) {
        var issues: [DecodeIssue] = []
        guard let id = attributes.first(where: { $0.field == .id }).flatMap({ Self.integer($0.value) }) else {
            return (nil, [DecodeIssue(employeeID: nil, attribute: "id", problem: "missing or not a number")])
        }
        var employee = Employee(id: id)
        employee.readableAttributes = readableKeys ?? Set(attributes.map(\.key)).union(["id"])
        func note(_ key: String, _ problem: String) { issues.append(DecodeIssue(employeeID: id, attribute: key, problem: problem)) }

        for entry in attributes {
            guard let field = entry.field else { continue }
            let key = entry.key
            let value: JSONValue? = entry.value
            switch field {
            case .id: break
            case .custom: employee.custom[key] = custom(key, label: entry.label, type: entry.type, value, note: note)
            case .firstName: employee.firstName = Self.text(value)
            case .lastName: employee.lastName = Self.text(value)
            case .preferredName: employee.preferredName = Self.text(value)
            case .email: employee.email = Self.text(value)
            case .gender: employee.gender = Self.text(value)
            case .position: employee.position = Self.text(value)
            case .employmentType: employee.employmentType = Self.text(value)
            case .status: employee.status = Self.text(value).map(EmploymentStatus.init)
            case .weeklyWorkingHours: employee.weeklyWorkingHours = number(key, value, note: note)
            case .vacationDayBalance: employee.vacationDayBalance = number(key, value, note: note)
            case .hireDate: employee.hireDate = date(key, value, note: note)
            case .contractEndDate: employee.contractEndDate = date(key, value, note: note)
            case .terminationDate: employee.terminationDate = date(key, value, note: note)
            case .lastWorkingDay: employee.lastWorkingDay = date(key, value, note: note)
            case .probationPeriodEnd: employee.probationPeriodEnd = date(key, value, note: note)
            case .createdAt: employee.createdAt = instant(key, value, note: note)
            case .lastModifiedAt: employee.lastModifiedAt = instant(key, value, note: note)
            case .department: employee.department = nestedUnit(entry) ?? unit(key, value, note: note)
            case .office: employee.office = nestedUnit(entry) ?? unit(key, value, note: note)
            case .subcompany: employee.subcompany = nestedUnit(entry) ?? unit(key, value, note: note)
            case .team: employee.team = nestedUnit(entry) ?? unit(key, value, note: note)
            case .supervisor:
                if case .person(let person)? = entry.nested { employee.supervisor = person } else {
                    employee.supervisor = person(key, value, note: note)
                }
            }
        }
        return (employee, issues)
    }

    private func nestedUnit(_ entry: AttributeEntry) -> OrgUnitRef? {
        if case .unit(let unit)? = entry.nested { unit } else { nil }
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
                    var interner = Interner()
                    try scanner.array { scanner throws(JSONParseError) in page.items.append(try item(&scanner, &interner)) }
                default:
                    try scanner.skipValue()
                }
            }
        }
        guard sawData else { throw JSONParseError(message: "no data array", offset: 0) }
        return page
    }

    /// Keys, labels and types repeat from one employee to the next at the same position: each
    /// slot remembers where in the page the previous one's bytes were and the string made of them,
    /// so equal bytes reuse the string instead of making one per attribute and employee.
    struct Interner {
        struct Slot {
            var range: Range<Int>
            var text: String
            var field: EmployeeField?
        }

        var keys: [Slot?] = []
        var labels: [Slot?] = []
        var types: [Slot?] = []

        static func text(_ slots: inout [Slot?], _ position: Int, _ scanner: inout JSONScanner,
                         resolve: (String) -> EmployeeField?) throws(JSONParseError) -> Slot {
            guard let range = try scanner.rawString() else {
                let text = try scanner.string()
                return Slot(range: 0..<0, text: text, field: resolve(text))
            }
            while slots.count <= position { slots.append(nil) }
            if let slot = slots[position], scanner.bytesEqual(slot.range, range) { return slot }
            let text = scanner.text(range)
            let slot = Slot(range: range, text: text, field: resolve(text))
            slots[position] = slot
            return slot
        }
    }

    private static func item(_ scanner: inout JSONScanner, _ interner: inout Interner) throws(JSONParseError) -> [AttributeEntry]? {
        var entries: [AttributeEntry]?
        try scanner.object { scanner, key throws(JSONParseError) in
            guard key == "attributes" else { try scanner.skipValue(); return }
            var list: [AttributeEntry] = []
            list.reserveCapacity(48)
            try scanner.expect(UInt8(ascii: "{"))
            if try scanner.peek() == UInt8(ascii: "}") {
                scanner.index += 1
            } else {
                while true {
                    scanner.skipWhitespace()
                    let slot = try Interner.text(&interner.keys, list.count, &scanner, resolve: EmployeeField.init(key:))
                    try scanner.expect(UInt8(ascii: ":"))
                    list.append(try entry(slot.text, slot.field, list.count, &scanner, &interner))
                    let next = try scanner.peek()
                    scanner.index += 1
                    if next == UInt8(ascii: ",") { continue }
                    guard next == UInt8(ascii: "}") else { throw scanner.failure("expected , or }") }
                    break
                }
            }
            entries = list
        }
        return entries
    }

    /// Skips the rest of an attribute wrapper once its value was read.
    private static func finish(_ entry: AttributeEntry, _ scanner: inout JSONScanner) throws(JSONParseError) -> AttributeEntry {
        while true {
            let next = try scanner.peek()
            scanner.index += 1
            if next == UInt8(ascii: "}") { return entry }
            guard next == UInt8(ascii: ",") else { throw scanner.failure("expected , or }") }
            scanner.skipWhitespace()
            try scanner.skipString()
            try scanner.expect(UInt8(ascii: ":"))
            try scanner.skipValue()
        }
    }

    /// `{"type":"Department","attributes":{"id":1,"name":"Sales"}}`, or a supervisor
    /// `{"type":"Employee","attributes":{"id":{"label":…,"value":12,…},…}}`, read without a
    /// dictionary per level. nil (nothing consumed) for any other shape, which the generic path reads.
    private static func nested(_ field: EmployeeField, _ scanner: inout JSONScanner) throws(JSONParseError) -> AttributeEntry.Nested? {
        var probe = scanner
        var id: Int?
        var texts: [String?] = [nil, nil, nil, nil]  // name | email, first_name, last_name
        var sawAttributes = false
        var shapeIsKnown = true
        try probe.object { probe, member throws(JSONParseError) in
            guard member == "attributes", try probe.peek() == UInt8(ascii: "{") else { try probe.skipValue(); return }
            sawAttributes = true
            try probe.object { probe, name throws(JSONParseError) in
                let slot: Int?
                switch name {
                case "id": slot = -1
                case "name" where field != .supervisor: slot = 0
                case "email" where field == .supervisor: slot = 1
                case "first_name" where field == .supervisor: slot = 2
                case "last_name" where field == .supervisor: slot = 3
                default: slot = nil
                }
                guard let slot else { try probe.skipValue(); return }
                let value = try wrappedValue(&probe)
                if slot == -1 {
                    id = EmployeeDecoder.integer(value)
                    if id == nil, !EmployeeDecoder.isEmpty(value) { shapeIsKnown = false }
                } else {
                    texts[slot] = EmployeeDecoder.text(value)
                }
            }
        }
        guard sawAttributes, shapeIsKnown else { return nil }
        if field == .supervisor {
            guard let id else { return nil }
            scanner = probe
            return .person(PersonRef(id: id, email: texts[1], firstName: texts[2], lastName: texts[3]))
        }
        guard id != nil || texts[0] != nil else { return nil }
        scanner = probe
        return .unit(OrgUnitRef(id: id, name: texts[0] ?? ""))
    }

    /// What `EmployeeDecoder.value` makes of the next value, reading a labelled wrapper
    /// (`{"label":…,"value":12,"type":…,"universal_id":…}`, as a supervisor's attributes come) without
    /// building a dictionary for it; any other object is read whole and handed to `EmployeeDecoder.value`.
    private static func wrappedValue(_ scanner: inout JSONScanner) throws(JSONParseError) -> JSONValue {
        guard try scanner.peek() == UInt8(ascii: "{") else { return try scanner.value() }
        var probe = scanner
        probe.index += 1
        var value: JSONValue?
        var labelled = false
        if try probe.peek() != UInt8(ascii: "}") {
            while true {
                probe.skipWhitespace()
                let member = try probe.member()
                try probe.expect(UInt8(ascii: ":"))
                switch member {
                case .value: value = try probe.value()
                case .label, .type: labelled = true; try probe.skipValue()
                case .universalId, .currency: try probe.skipValue()
                case .other:
                    // Not a wrapper of the usual shape: read it the general way.
                    return EmployeeDecoder.value(try scanner.value()) ?? .null
                }
                let next = try probe.peek()
                probe.index += 1
                if next == UInt8(ascii: ",") { continue }
                guard next == UInt8(ascii: "}") else { throw probe.failure("expected , or }") }
                break
            }
        } else {
            probe.index += 1
        }
        guard let value, labelled else { return EmployeeDecoder.value(try scanner.value()) ?? .null }
        scanner = probe
        return value
    }

    /// `{"label":…,"value":…,"type":…,"universal_id":…}`; anything else is taken as a bare value.
    /// Labels and types are kept only for custom attributes, the only ones that use them.
    private static func entry(_ key: String, _ field: EmployeeField?, _ position: Int, _ scanner: inout JSONScanner,
                              _ interner: inout Interner) throws(JSONParseError) -> AttributeEntry {
        guard let field else {
            try scanner.skipValue()
            return AttributeEntry(key: key, field: nil, label: nil, type: nil, value: .null)
        }
        guard try scanner.peek() == UInt8(ascii: "{") else {
            return AttributeEntry(key: key, field: field, label: nil, type: nil, value: try scanner.value())
        }
        var label: String?
        var type: String?
        var value: JSONValue?
        var others: [String: JSONValue] = [:]
        let keepsLabels = field == .custom
        try scanner.expect(UInt8(ascii: "{"))
        if try scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let member = try scanner.member()
                try scanner.expect(UInt8(ascii: ":"))
                switch member {
                case .value:
                    if field.isNested, try scanner.peek() == UInt8(ascii: "{"),
                       let nested = try Self.nested(field, &scanner) {
                        return try finish(AttributeEntry(key: key, field: field, label: nil, type: nil, value: .null, nested: nested),
                                          &scanner)
                    }
                    value = try scanner.value()
                case .label where keepsLabels:
                    if try scanner.peek() == UInt8(ascii: "\"") {
                        label = try Interner.text(&interner.labels, position, &scanner, resolve: { _ in nil }).text
                    } else { try scanner.skipValue() }
                case .type:
                    if try scanner.peek() == UInt8(ascii: "\"") {
                        type = try Interner.text(&interner.types, position, &scanner, resolve: { _ in nil }).text
                    } else { try scanner.skipValue() }
                case .label, .universalId, .currency: try scanner.skipValue()
                case .other(let name): others[name] = try scanner.value()
                }
                let next = try scanner.peek()
                scanner.index += 1
                if next == UInt8(ascii: ",") { continue }
                guard next == UInt8(ascii: "}") else { throw scanner.failure("expected , or }") }
                break
            }
        }
        if let value { return AttributeEntry(key: key, field: field, label: keepsLabels ? label : nil, type: type, value: value) }
        // Not a labelled wrapper: a bare nested value such as {"type":"Department","attributes":{…}}.
        if let type { others["type"] = .string(type) }
        if let label { others["label"] = .string(label) }
        return AttributeEntry(key: key, field: field, label: nil, type: nil, value: .object(others))
    }
}
