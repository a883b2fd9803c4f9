import Foundation

/// Which target field gets which source value, after which transforms.
public struct Mapping: Sendable, Hashable, Codable {
    public var fields: [FieldMapping]

    public init(_ fields: [FieldMapping]) {
        self.fields = fields
    }

    /// The mapped fields of one person; fields whose value is empty are left out.
    public func apply(to employee: Employee, timeZone: TimeZone) -> [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(fields.count)
        for field in fields {
            if let value = field.value(for: employee, timeZone: timeZone), !value.isEmpty { result[field.target] = value }
        }
        return result
    }

    /// Checks the mapping before it is saved; every problem names the field.
    public func validate() -> [MappingError] {
        var errors: [MappingError] = []
        var seen = Set<String>()
        for (index, field) in fields.enumerated() {
            let path = "mapping.fields[\(index)]"
            if field.target.isBlank {
                errors.append(MappingError(field: "\(path).target", message: "a target field name is required"))
            } else if !seen.insert(field.target).inserted {
                errors.append(MappingError(field: "\(path).target", message: "\(field.target) is mapped twice"))
            }
            errors += field.source.validate(path: "\(path).source")
            for (position, transform) in field.transforms.enumerated() {
                if case .dateFormat(let pattern) = transform, !DateFormat.isValid(pattern) {
                    errors.append(MappingError(field: "\(path).transforms[\(position)]",
                                               message: "date format \(pattern) may only use yyyy, MM, dd and separators"))
                }
            }
        }
        return errors
    }
}

public struct MappingError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

public struct FieldMapping: Sendable, Hashable, Codable {
    public var target: String
    public var source: Source
    public var transforms: [Transform]

    public init(_ target: String, _ source: Source, _ transforms: [Transform] = []) {
        self.target = target
        self.source = source
        self.transforms = transforms
    }

    /// `FieldMapping("email", from: "email", .lowercase)`
    public init(_ target: String, from attribute: String, _ transforms: Transform...) {
        self.init(target, .attribute(attribute), transforms)
    }

    func value(for employee: Employee, timeZone: TimeZone) -> String? {
        var value = source.value(for: employee, timeZone: timeZone)
        for transform in transforms { value = transform.apply(value) }
        return value
    }
}

/// A mapping with its attribute keys resolved once, for planning many people.
struct CompiledMapping: Sendable {
    struct Field: Sendable {
        var target: String
        var reader: Reader
        var source: CompiledSource
        var transforms: [Transform]
        /// The source attributes it reads (`supervisor.email` → `supervisor`).
        var attributes: Set<String>

        init(target: String, source: Source, transforms: [Transform]) {
            self.target = target
            self.source = CompiledSource(source)
            self.transforms = transforms
            reader = Reader(source, transforms)
            attributes = Set(source.attributes.map(Employee.sourceAttribute(of:)))
        }

        func value(for employee: borrowing Employee) -> String? {
            if let value = reader.value(for: employee) { return value }
            guard reader.standard == nil else { return nil }
            var value = source.value(for: employee)
            for transform in transforms { value = transform.apply(value) }
            return (value?.isEmpty ?? true) ? nil : value
        }
    }

    /// How the usual field is read: a standard attribute with no transform other than trim and
    /// lower-case. Holds nothing reference-counted, so reading it for every person on every
    /// processor touches no shared reference count (shared retains showed as contention).
    struct Reader: Sendable {
        /// nil: read through the field's source and transforms.
        var standard: AttributeKey?
        var trim: Bool
        var lowercase: Bool

        init(_ source: Source, _ transforms: [Transform]) {
            if case .attribute(let key) = source, let standard = AttributeKey(rawValue: key),
               transforms.allSatisfy({ $0 == .trim || $0 == .lowercase }) {
                self.standard = standard
                // Lower-casing keeps surrounding whitespace and trimming keeps case, so their order does not matter.
                trim = transforms.contains(.trim)
                lowercase = transforms.contains(.lowercase)
            } else {
                standard = nil
                trim = false
                lowercase = false
            }
        }

        /// The value, or nil when it is empty or the field needs its source and transforms.
        func value(for employee: borrowing Employee) -> String? {
            guard let standard else { return nil }
            var value = employee.value(of: standard)
            if trim { value = value?.trimmingWhitespace() }
            if lowercase { value = value?.lowercasedIfNeeded() }
            return (value?.isEmpty ?? true) ? nil : value
        }
    }

    indirect enum CompiledSource: Sendable {
        case standard(AttributeKey)
        case custom(String)
        case constant(String)
        case concatenate([CompiledSource], String)

        init(_ source: Source) {
            switch source {
            case .attribute(let key): self = AttributeKey(rawValue: key).map(CompiledSource.standard) ?? .custom(key)
            case .constant(let text): self = .constant(text)
            case .concatenate(let parts, let separator): self = .concatenate(parts.map(CompiledSource.init), separator)
            }
        }

        func value(for employee: Employee) -> String? {
            switch self {
            case .standard(let key): employee.value(of: key)
            case .custom(let key): employee.customValue(key)
            case .constant(let text): text
            case .concatenate(let parts, let separator):
                parts.compactMap { $0.value(for: employee) }.filter { !$0.isEmpty }.joined(separator: separator)
            }
        }
    }

    /// Sorted by target, so values come out in fingerprint order.
    let fields: [Field]
    /// The fields' readers and targets apart from the fields, for the per-person loop.
    private let readers: [Reader]
    private let targetBytes: [UInt8]
    private let targetEnds: [Int]

    init(_ mapping: Mapping) {
        var byTarget: [String: Field] = [:]
        for field in mapping.fields {  // a later mapping of the same target wins, as in `Mapping.apply`
            byTarget[field.target] = Field(target: field.target, source: field.source, transforms: field.transforms)
        }
        fields = byTarget.keys.sorted().compactMap { byTarget[$0] }
        readers = fields.map(\.reader)
        targetBytes = fields.flatMap { Array($0.target.utf8) }
        targetEnds = fields.reduce(into: []) { ends, field in ends.append((ends.last ?? 0) + field.target.utf8.count) }
    }

    /// The mapped values in target order (nil where empty).
    func values(for employee: borrowing Employee) -> [String?] {
        var result: [String?] = []
        result.reserveCapacity(readers.count)
        values(for: employee, into: &result)
        return result
    }

    /// The same into a buffer the caller reuses from one person to the next (no allocation per person).
    func values(for employee: borrowing Employee, into values: inout [String?]) {
        values.removeAll(keepingCapacity: true)
        for index in readers.indices {
            if readers[index].standard != nil {
                values.append(readers[index].value(for: employee))
            } else {
                values.append(fields[index].value(for: employee))
            }
        }
    }

    func dictionary(_ values: [String?]) -> [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(values.count)
        for (field, value) in zip(fields, values) { if let value { result[field.target] = value } }
        return result
    }

    /// Equal to `Fingerprint.of(dictionary(values))`, without building the dictionary.
    func fingerprint(_ values: [String?]) -> Fingerprint {
        var hash = Fingerprint.seed
        targetBytes.withUnsafeBufferPointer { targets in
            var start = 0
            for index in values.indices {
                let end = targetEnds[index]
                defer { start = end }
                guard let value = values[index] else { continue }
                Fingerprint.mix(UnsafeBufferPointer(rebasing: targets[start..<end]), value, into: &hash)
            }
        }
        return Fingerprint(hash)
    }
}

/// Where a value comes from.
public indirect enum Source: Sendable, Hashable, Codable {
    /// A source attribute: a standard key (`department`, `supervisor.email`, …) or `dynamic_<id>`.
    case attribute(String)
    case constant(String)
    /// The non-empty values joined, e.g. first and last name with a space.
    case concatenate([Source], separator: String)

    func value(for employee: Employee, timeZone: TimeZone) -> String? {
        switch self {
        case .attribute(let key): employee.value(of: key, timeZone: timeZone)
        case .constant(let text): text
        case .concatenate(let parts, let separator):
            parts.compactMap { $0.value(for: employee, timeZone: timeZone) }.filter { !$0.isEmpty }.joined(separator: separator)
        }
    }

    /// The source attributes it reads.
    public var attributes: [String] {
        switch self {
        case .attribute(let key): [key]
        case .constant: []
        case .concatenate(let parts, _): parts.flatMap(\.attributes)
        }
    }

    func validate(path: String) -> [MappingError] {
        switch self {
        case .attribute(let key):
            Employee.isKnownAttribute(key) ? [] : [MappingError(field: path, message: "\(key) is not a Personio attribute")]
        case .constant: []
        case .concatenate(let parts, _):
            parts.isEmpty ? [MappingError(field: path, message: "concatenate needs at least one part")]
                : parts.enumerated().flatMap { $1.validate(path: "\(path).parts[\($0)]") }
        }
    }
}

/// A small set of transforms applied in order.
public enum Transform: Sendable, Hashable, Codable {
    case lowercase
    case uppercase
    case trim
    /// Reformats a `YYYY-MM-DD` value with `yyyy`, `MM`, `dd`, e.g. `dd.MM.yyyy`.
    case dateFormat(String)
    /// Replaces known values; others stay, or become `fallback` when one is given.
    case valueMap([String: String], fallback: String?)
    /// Used when the value is empty.
    case defaultValue(String)

    func apply(_ value: String?) -> String? {
        switch self {
        case .lowercase: value?.lowercasedIfNeeded()
        case .uppercase: value?.uppercased()
        case .trim: value?.trimmingWhitespace()
        case .dateFormat(let pattern): value.flatMap { LocalDate($0) }.map { DateFormat.format($0, pattern) } ?? value
        case .valueMap(let table, let fallback): value.map { table[$0] ?? fallback ?? $0 }
        case .defaultValue(let fallback): (value?.isEmpty ?? true) ? fallback : value
        }
    }
}

public enum DateFormat {
    public static func isValid(_ pattern: String) -> Bool {
        var rest = Substring(pattern)
        while !rest.isEmpty {
            if rest.hasPrefix("yyyy") { rest = rest.dropFirst(4) }
            else if rest.hasPrefix("MM") || rest.hasPrefix("dd") { rest = rest.dropFirst(2) }
            else if let first = rest.first, " .-/".contains(first) { rest = rest.dropFirst() }
            else { return false }
        }
        return !pattern.isEmpty
    }

    static func format(_ date: LocalDate, _ pattern: String) -> String {
        pattern.replacingOccurrences(of: "yyyy", with: LocalDate.pad(date.year, 4))
            .replacingOccurrences(of: "MM", with: LocalDate.pad(date.month, 2))
            .replacingOccurrences(of: "dd", with: LocalDate.pad(date.day, 2))
    }
}

/// The standard attributes a mapping or scope may name.
public enum AttributeKey: String, Sendable, CaseIterable {
    case id, firstName = "first_name", lastName = "last_name", preferredName = "preferred_name", email, gender, status
    case position, employmentType = "employment_type", weeklyWorkingHours = "weekly_working_hours"
    case vacationDayBalance = "vacation_day_balance", department, departmentId = "department.id", office
    case officeId = "office.id", subcompany, subcompanyId = "subcompany.id", team, teamId = "team.id", supervisor
    case supervisorId = "supervisor.id", supervisorEmail = "supervisor.email", supervisorName = "supervisor.name"
    case hireDate = "hire_date", contractEndDate = "contract_end_date", terminationDate = "termination_date"
    case lastWorkingDay = "last_working_day", probationPeriodEnd = "probation_period_end", createdAt = "created_at"
    case lastModifiedAt = "last_modified_at"
}

extension Employee {
    /// Whether `key` names an attribute `value(of:)` understands.
    public static func isKnownAttribute(_ key: String) -> Bool {
        AttributeKey(rawValue: key) != nil || (key.hasPrefix("dynamic_") && Int(key.dropFirst(8)) != nil)
    }

    /// The source attribute a key refers to (`supervisor.email` → `supervisor`).
    public static func sourceAttribute(of key: String) -> String {
        key.split(separator: ".").first.map(String.init) ?? key
    }

    /// The value of an attribute as text: dates as `YYYY-MM-DD`, instants as ISO 8601 UTC, org units by name.
    public func value(of key: String, timeZone: TimeZone) -> String? {
        if let standard = AttributeKey(rawValue: key) { return value(of: standard) }
        return customValue(key)
    }

    /// The value of a standard attribute (an enum switch: no string comparisons per person).
    public func value(of key: AttributeKey) -> String? {
        switch key {
        case .id: String(id)
        case .firstName: firstName
        case .lastName: lastName
        case .preferredName: preferredName
        case .email: email
        case .gender: gender
        case .status: status?.text
        case .position: position
        case .employmentType: employmentType
        case .weeklyWorkingHours: weeklyWorkingHours.map(Self.number)
        case .vacationDayBalance: vacationDayBalance.map(Self.number)
        case .department: department?.name
        case .departmentId: department?.id.map(String.init)
        case .office: office?.name
        case .officeId: office?.id.map(String.init)
        case .subcompany: subcompany?.name
        case .subcompanyId: subcompany?.id.map(String.init)
        case .team: team?.name
        case .teamId: team?.id.map(String.init)
        case .supervisor, .supervisorId: supervisor.map { String($0.id) }
        case .supervisorEmail: supervisor?.email
        case .supervisorName: supervisor.map { [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ") }
        case .hireDate: hireDate?.description
        case .contractEndDate: contractEndDate?.description
        case .terminationDate: terminationDate?.description
        case .lastWorkingDay: lastWorkingDay?.description
        case .probationPeriodEnd: probationPeriodEnd?.description
        case .createdAt: createdAt.map(Self.iso)
        case .lastModifiedAt: lastModifiedAt.map(Self.iso)
        }
    }

    func customValue(_ key: String) -> String? {
        switch custom[key]?.value {
        case .text(let text)?: text
        case .number(let number)?: Self.number(number)
        case .date(let date)?: date.description
        case .empty?, nil: nil
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func iso(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        return LocalDate(daysSinceEpoch: days).description + "T" + LocalDate.pad(rest / 3600, 2) + ":"
            + LocalDate.pad(rest % 3600 / 60, 2) + ":" + LocalDate.pad(rest % 60, 2) + "Z"
    }
}
