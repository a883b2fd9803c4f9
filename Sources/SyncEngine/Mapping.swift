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
        case .lowercase: value?.lowercased()
        case .uppercase: value?.uppercased()
        case .trim: value?.trimmingWhitespace()
        case .dateFormat(let pattern): value.flatMap { LocalDate($0) }.map { DateFormat.format($0, pattern) } ?? value
        case .valueMap(let table, let fallback): value.map { table[$0] ?? fallback ?? $0 }
        case .defaultValue(let fallback): (value?.isEmpty ?? true) ? fallback : value
        }
    }
}

enum DateFormat {
    static func isValid(_ pattern: String) -> Bool {
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

extension Employee {
    static let standardAttributes: Set<String> = [
        "id", "first_name", "last_name", "preferred_name", "email", "gender", "status", "position", "employment_type",
        "weekly_working_hours", "department", "department.id", "office", "office.id", "subcompany", "subcompany.id", "team",
        "team.id", "supervisor", "supervisor.id", "supervisor.email", "supervisor.name", "hire_date", "contract_end_date",
        "termination_date", "last_working_day", "probation_period_end", "created_at", "last_modified_at", "vacation_day_balance",
    ]

    /// Whether `key` names an attribute `value(of:)` understands.
    public static func isKnownAttribute(_ key: String) -> Bool {
        standardAttributes.contains(key) || (key.hasPrefix("dynamic_") && Int(key.dropFirst(8)) != nil)
    }

    /// The source attribute a key refers to (`supervisor.email` → `supervisor`).
    public static func sourceAttribute(of key: String) -> String {
        key.split(separator: ".").first.map(String.init) ?? key
    }

    /// The value of an attribute as text: dates as `YYYY-MM-DD`, instants as ISO 8601 UTC, org units by name.
    public func value(of key: String, timeZone: TimeZone) -> String? {
        switch key {
        case "id": String(id)
        case "first_name": firstName
        case "last_name": lastName
        case "preferred_name": preferredName
        case "email": email
        case "gender": gender
        case "status": status?.text
        case "position": position
        case "employment_type": employmentType
        case "weekly_working_hours": weeklyWorkingHours.map(Self.number)
        case "vacation_day_balance": vacationDayBalance.map(Self.number)
        case "department": department?.name
        case "department.id": department?.id.map(String.init)
        case "office": office?.name
        case "office.id": office?.id.map(String.init)
        case "subcompany": subcompany?.name
        case "subcompany.id": subcompany?.id.map(String.init)
        case "team": team?.name
        case "team.id": team?.id.map(String.init)
        case "supervisor", "supervisor.id": supervisor.map { String($0.id) }
        case "supervisor.email": supervisor?.email
        case "supervisor.name": supervisor.map { [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ") }
        case "hire_date": hireDate?.description
        case "contract_end_date": contractEndDate?.description
        case "termination_date": terminationDate?.description
        case "last_working_day": lastWorkingDay?.description
        case "probation_period_end": probationPeriodEnd?.description
        case "created_at": createdAt.map(Self.iso)
        case "last_modified_at": lastModifiedAt.map(Self.iso)
        default:
            switch custom[key]?.value {
            case .text(let text)?: text
            case .number(let number)?: Self.number(number)
            case .date(let date)?: date.description
            case .empty?, nil: nil
            }
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
