import Foundation
import SyncEngine

/// Everything the sandbox's Personio account holds. A value type: the store actor owns one and
/// persists it as JSON when a data file is configured.
struct Company: Codable, Sendable {
    private(set) var employees: [SandboxEmployee] = []
    var nextEmployeeId = 10_001
    var departments: [OrgUnit] = []
    var offices: [OrgUnit] = []
    var subcompanies: [OrgUnit] = []
    var teams: [OrgUnit] = []
    var costCenters: [CostCenter] = []
    var holidayCalendars: [HolidayCalendar] = []
    var workSchedules: [WorkSchedule] = []
    var customAttributes: [CustomAttribute] = []
    var timeOffTypes: [TimeOffType] = []
    private(set) var timeOffs: [TimeOff] = []
    var nextTimeOffId = 500_001
    var credentials: [SandboxCredential] = []
    /// v2 webhook subscriptions (absent from data files written before v2).
    var webhooks: [WebhookSubscription] = []

    private var indexById: [Int: Int] = [:]
    private var idByEmail: [String: Int] = [:]
    private var timeOffIndexById: [Int: Int] = [:]

    private enum CodingKeys: String, CodingKey {
        case employees, nextEmployeeId, departments, offices, subcompanies, teams, costCenters
        case holidayCalendars, workSchedules, customAttributes, timeOffTypes, timeOffs, nextTimeOffId, credentials, webhooks
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        employees = try c.decode([SandboxEmployee].self, forKey: .employees)
        nextEmployeeId = try c.decode(Int.self, forKey: .nextEmployeeId)
        departments = try c.decode([OrgUnit].self, forKey: .departments)
        offices = try c.decode([OrgUnit].self, forKey: .offices)
        subcompanies = try c.decode([OrgUnit].self, forKey: .subcompanies)
        teams = try c.decode([OrgUnit].self, forKey: .teams)
        costCenters = try c.decode([CostCenter].self, forKey: .costCenters)
        holidayCalendars = try c.decode([HolidayCalendar].self, forKey: .holidayCalendars)
        workSchedules = try c.decode([WorkSchedule].self, forKey: .workSchedules)
        customAttributes = try c.decode([CustomAttribute].self, forKey: .customAttributes)
        timeOffTypes = try c.decode([TimeOffType].self, forKey: .timeOffTypes)
        timeOffs = try c.decode([TimeOff].self, forKey: .timeOffs)
        nextTimeOffId = try c.decode(Int.self, forKey: .nextTimeOffId)
        credentials = try c.decode([SandboxCredential].self, forKey: .credentials)
        webhooks = try c.decodeIfPresent([WebhookSubscription].self, forKey: .webhooks) ?? []
        reindex()
    }

    // MARK: Employees

    func employee(id: Int) -> SandboxEmployee? {
        indexById[id].map { employees[$0] }
    }

    func employeeId(email: String) -> Int? {
        idByEmail[email.lowercased()]
    }

    /// Adds an employee with the next id and returns it.
    @discardableResult
    mutating func add(_ build: (Int) -> SandboxEmployee) -> SandboxEmployee {
        let employee = build(nextEmployeeId)
        nextEmployeeId += 1
        indexById[employee.id] = employees.count
        idByEmail[employee.email.lowercased()] = employee.id
        employees.append(employee)
        return employee
    }

    /// Replaces an employee (same id), keeping the e-mail index right.
    mutating func replace(_ employee: SandboxEmployee) {
        guard let index = indexById[employee.id] else { return }
        let old = employees[index]
        if old.email.lowercased() != employee.email.lowercased() {
            idByEmail[old.email.lowercased()] = nil
            idByEmail[employee.email.lowercased()] = employee.id
        }
        employees[index] = employee
    }

    mutating func removeEmployee(id: Int) -> Bool {
        guard let index = indexById[id] else { return false }
        employees.remove(at: index)
        timeOffs.removeAll { $0.employeeId == id }
        reindex()
        return true
    }

    // MARK: Time-offs

    func timeOff(id: Int) -> TimeOff? {
        timeOffIndexById[id].map { timeOffs[$0] }
    }

    mutating func addTimeOff(_ build: (Int) -> TimeOff) -> TimeOff {
        let timeOff = build(nextTimeOffId)
        nextTimeOffId += 1
        timeOffIndexById[timeOff.id] = timeOffs.count
        timeOffs.append(timeOff)
        return timeOff
    }

    mutating func removeTimeOff(id: Int) -> Bool {
        guard let index = timeOffIndexById[id] else { return false }
        timeOffs.remove(at: index)
        timeOffIndexById = Dictionary(uniqueKeysWithValues: timeOffs.enumerated().map { ($1.id, $0) })
        return true
    }

    // MARK: Catalog look-ups

    func timeOffType(id: Int) -> TimeOffType? { timeOffTypes.first { $0.id == id } }
    func customAttribute(key: String) -> CustomAttribute? { customAttributes.first { $0.key == key } }

    func unit(_ kind: OrgUnitKind, id: Int?) -> OrgUnit? {
        guard let id else { return nil }
        return units(kind).first { $0.id == id }
    }

    func unit(_ kind: OrgUnitKind, named name: String) -> OrgUnit? {
        units(kind).first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    func units(_ kind: OrgUnitKind) -> [OrgUnit] {
        switch kind {
        case .department: departments
        case .office: offices
        case .subcompany: subcompanies
        case .team: teams
        }
    }

    /// Finds a unit by name or creates it (the admin API may name new departments freely).
    mutating func unitId(_ kind: OrgUnitKind, named name: String) -> Int {
        if let existing = unit(kind, named: name) { return existing.id }
        let id = (units(kind).map(\.id).max() ?? kind.firstId - 1) + 1
        let unit = OrgUnit(id: id, name: name)
        switch kind {
        case .department: departments.append(unit)
        case .office: offices.append(unit)
        case .subcompany: subcompanies.append(unit)
        case .team: teams.append(unit)
        }
        return id
    }

    func credential(clientId: String) -> SandboxCredential? {
        credentials.first { $0.clientId == clientId }
    }

    private mutating func reindex() {
        indexById = Dictionary(uniqueKeysWithValues: employees.enumerated().map { ($1.id, $0) })
        idByEmail = Dictionary(employees.map { ($0.email.lowercased(), $0.id) }, uniquingKeysWith: { first, _ in first })
        timeOffIndexById = Dictionary(uniqueKeysWithValues: timeOffs.enumerated().map { ($1.id, $0) })
    }
}

enum OrgUnitKind: String, CaseIterable, Sendable {
    case department, office, subcompany, team

    /// The `type` of the nested object on the wire.
    var wireType: String {
        switch self {
        case .department: "Department"
        case .office: "Office"
        case .subcompany: "Subcompany"
        case .team: "Team"
        }
    }

    var firstId: Int {
        switch self {
        case .department: 100
        case .office: 200
        case .subcompany: 300
        case .team: 400
        }
    }
}
