import PersonioAPI

/// A named unit of the organisation: department, office, subcompany or team.
struct OrgUnit: Codable, Sendable, Equatable {
    var id: Int
    var name: String
}

struct CostCenter: Codable, Sendable, Equatable {
    var id: Int
    var name: String
}

struct HolidayCalendar: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var country: String
    var state: String?
}

struct WorkSchedule: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    /// Hours per weekday, Monday first, as `HH:MM`.
    var days: [String]
}

/// A custom employee attribute (`dynamic_<id>`).
struct CustomAttribute: Codable, Sendable, Equatable {
    var id: Int
    var label: String
    var type: PersonioAttributeType
    var universalId: String?
    var options: [String] = []
    /// Older custom date attributes come as `2021-01-01T00:00:00+01:00`, newer ones as `2021-01-01`.
    var legacyDateFormat: Bool = false

    var key: String { "dynamic_\(id)" }
}

struct TimeOffType: Codable, Sendable, Equatable {
    enum Unit: String, Codable, Sendable { case day, hour }
    var id: Int
    var name: String
    var category: String
    var unit: Unit
    var approvalRequired: Bool
}
