/// The built-in employee attributes of Personio's v1 Employee Data API: key, the label Personio
/// shows (and uses in Settings › Integrations › API credentials), wire type and universal id.
///
/// Custom attributes are not listed here; they appear as `dynamic_<id>` keys.
public struct PersonioStandardAttribute: Sendable, Hashable {
    public let key: String
    public let label: String
    public let type: PersonioAttributeType
    public let universalId: String?

    public init(key: String, label: String, type: PersonioAttributeType, universalId: String? = nil) {
        self.key = key
        self.label = label
        self.type = type
        self.universalId = universalId
    }

    /// Every standard attribute, in the order Personio lists them.
    public static let all: [PersonioStandardAttribute] = [
        .init(key: "id", label: "ID", type: .integer, universalId: "id"),
        .init(key: "first_name", label: "First name", type: .standard, universalId: "first_name"),
        .init(key: "last_name", label: "Last name", type: .standard, universalId: "last_name"),
        .init(key: "preferred_name", label: "Preferred name", type: .standard, universalId: "preferred_name"),
        .init(key: "email", label: "Email", type: .standard, universalId: "email"),
        .init(key: "gender", label: "Gender", type: .standard, universalId: "gender"),
        .init(key: "status", label: "Status", type: .standard, universalId: "status"),
        .init(key: "position", label: "Position", type: .standard, universalId: "position"),
        .init(key: "supervisor", label: "Supervisor", type: .standard, universalId: "supervisor"),
        .init(key: "employment_type", label: "Employment type", type: .standard, universalId: "employment_type"),
        .init(key: "weekly_working_hours", label: "Weekly hours", type: .standard, universalId: "weekly_working_hours"),
        .init(key: "hire_date", label: "Hire date", type: .date, universalId: "hire_date"),
        .init(key: "contract_end_date", label: "Contract ends", type: .date, universalId: "contract_end_date"),
        .init(key: "termination_date", label: "Termination date", type: .date, universalId: "termination_date"),
        .init(key: "termination_type", label: "Termination type", type: .standard, universalId: "termination_type"),
        .init(key: "termination_reason", label: "Termination reason", type: .standard, universalId: "termination_reason"),
        .init(key: "probation_period_end", label: "Probation period end", type: .date, universalId: "probation_period_end"),
        .init(key: "created_at", label: "Created at", type: .date, universalId: "created_at"),
        .init(key: "last_modified_at", label: "Last modified", type: .date, universalId: "last_modified_at"),
        .init(key: "subcompany", label: "Subcompany", type: .standard, universalId: "subcompany"),
        .init(key: "office", label: "Office", type: .standard, universalId: "office"),
        .init(key: "department", label: "Department", type: .standard, universalId: "department"),
        .init(key: "cost_centers", label: "Cost center", type: .standard, universalId: "cost_centers"),
        .init(key: "holiday_calendar", label: "Public holidays", type: .standard, universalId: "holiday_calendar"),
        .init(key: "absence_entitlement", label: "Absence entitlement", type: .standard, universalId: "absence_entitlement"),
        .init(key: "work_schedule", label: "Work schedule", type: .standard, universalId: "work_schedule"),
        .init(key: "fix_salary", label: "Fix salary", type: .decimal, universalId: "fix_salary"),
        .init(key: "fix_salary_interval", label: "Salary interval", type: .standard, universalId: "fix_salary_interval"),
        .init(key: "hourly_salary", label: "Hourly salary", type: .decimal, universalId: "hourly_salary"),
        .init(key: "vacation_day_balance", label: "Vacation day balance", type: .decimal, universalId: "vacation_day_balance"),
        .init(key: "last_working_day", label: "Last day of work", type: .date, universalId: "last_working_day"),
        .init(key: "profile_picture", label: "Profile Picture", type: .standard, universalId: "profile_picture"),
        .init(key: "team", label: "Team", type: .standard, universalId: "team"),
    ]

    private static let byKey: [String: PersonioStandardAttribute] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// The standard attribute with this key, if there is one.
    public static func named(_ key: String) -> PersonioStandardAttribute? { byKey[key] }
}
