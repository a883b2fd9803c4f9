import Foundation

/// One person as Rollcall understands them, whatever the HR system. PersonioAPI decodes
/// Personio's attribute maps straight into this; the engine plans from it.
///
/// Optional fields are nil when the value is empty *or* not readable; `readableAttributes` says
/// which attributes the source returned at all, so "the credential may not read department" is
/// never confused with "this person has no department".
public struct Employee: Sendable, Hashable, Codable, Identifiable {
    /// The source's id (Personio's employee id).
    public var id: Int
    public var firstName: String?
    public var lastName: String?
    public var preferredName: String?
    public var email: String?
    public var gender: String?
    public var status: EmploymentStatus?
    public var position: String?
    public var employmentType: String?
    public var weeklyWorkingHours: Double?
    public var department: OrgUnitRef?
    public var office: OrgUnitRef?
    public var subcompany: OrgUnitRef?
    public var team: OrgUnitRef?
    public var supervisor: PersonRef?
    public var hireDate: LocalDate?
    public var contractEndDate: LocalDate?
    public var terminationDate: LocalDate?
    public var lastWorkingDay: LocalDate?
    public var probationPeriodEnd: LocalDate?
    public var createdAt: Date?
    public var lastModifiedAt: Date?
    public var vacationDayBalance: Double?
    /// Custom attributes by key (`dynamic_<id>`), with their labels.
    public var custom: [String: CustomAttributeValue]
    /// Attribute keys the source returned for this person (standard and custom).
    public var readableAttributes: Set<String>

    public init(id: Int) {
        self.id = id
        self.custom = [:]
        self.readableAttributes = ["id"]
    }
}

/// Personio's employment statuses; anything else is kept verbatim.
public enum EmploymentStatus: Sendable, Hashable, Codable {
    case active, onboarding, leave, inactive
    case other(String)

    public init(_ text: String) {
        switch text.lowercased() {
        case "active": self = .active
        case "onboarding": self = .onboarding
        case "leave": self = .leave
        case "inactive": self = .inactive
        default: self = .other(text)
        }
    }

    public var text: String {
        switch self {
        case .active: "active"
        case .onboarding: "onboarding"
        case .leave: "leave"
        case .inactive: "inactive"
        case .other(let text): text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// A department, office, subcompany or team: its id in the source and its name.
public struct OrgUnitRef: Sendable, Hashable, Codable {
    public var id: Int?
    public var name: String

    public init(id: Int?, name: String) {
        self.id = id
        self.name = name
    }
}

/// Another person, as far as the source tells (a supervisor).
public struct PersonRef: Sendable, Hashable, Codable {
    public var id: Int
    public var email: String?
    public var firstName: String?
    public var lastName: String?

    public init(id: Int, email: String? = nil, firstName: String? = nil, lastName: String? = nil) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
    }
}

/// A custom attribute's label and value.
public struct CustomAttributeValue: Sendable, Hashable, Codable {
    public var label: String
    public var value: Value

    public enum Value: Sendable, Hashable, Codable {
        case text(String)
        case number(Double)
        case date(LocalDate)
        case empty
    }

    public init(label: String, value: Value) {
        self.label = label
        self.value = value
    }
}
