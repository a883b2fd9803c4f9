import Foundation
import PersonioAPI
import SyncEngine

/// Writes employees in Personio's v1 shape: every attribute as `{label, value, type, universal_id}`,
/// nested org units plain, the supervisor labelled, omitting what the credential may not read.
struct EmployeeRenderer: Sendable {
    let company: Company
    let credential: SandboxCredential
    let timeZone: TimeZone
    /// `https://host/v1`, used for the profile picture link.
    let apiBaseURL: String
    let offsets: ZoneOffsetTable
    /// The standard and custom attributes written, chosen once per request rather than looked up
    /// in two sets for every attribute of every employee.
    private let members: [Member]
    private let customAttributes: [CustomAttribute]
    private let supervisorFields: [(String, String, PersonioAttributeType)]

    /// `projection`: `attributes[]` of the request; nil renders every readable attribute.
    init(company: Company, credential: SandboxCredential, projection: Set<String>?, timeZone: TimeZone, apiBaseURL: String,
         offsets: ZoneOffsetTable) {
        self.company = company
        self.credential = credential
        self.timeZone = timeZone
        self.apiBaseURL = apiBaseURL
        self.offsets = offsets
        func includes(_ key: String) -> Bool {
            guard credential.mayRead(key) else { return false }
            return key == "id" || projection?.contains(key) ?? true
        }
        members = Self.standardMembers.filter { includes($0.attribute.key) }
        customAttributes = company.customAttributes.filter { includes($0.key) }
        supervisorFields = Self.shortEmployeeFields.filter { credential.mayRead($0.0) }
    }

    private static let shortEmployeeFields: [(String, String, PersonioAttributeType)] = [
        ("id", "ID", .integer), ("first_name", "First name", .standard),
        ("last_name", "Last name", .standard), ("email", "Email", .standard),
    ]

    /// `{"type":"Employee","attributes":{…}}`
    func write(_ employee: SandboxEmployee, into json: inout JSONWriter) {
        json.typedObject("Employee") { json in
            for member in members {
                json.openMember(member.prefix)
                writeValue(of: member.field, for: employee, into: &json)
                json.closeMember(member.suffix)
            }
            for attribute in customAttributes {
                json.key(attribute.key)
                json.beginObject()
                json.key("label"); json.string(attribute.label)
                json.key("value"); writeCustom(employee.custom[attribute.key], of: attribute, into: &json)
                json.key("type"); json.string(attribute.type.rawValue)
                json.key("universal_id"); json.string(attribute.universalId)
                json.endObject()
            }
        }
    }

    /// One standard attribute with its constant JSON around the value, encoded once.
    struct Member: Sendable {
        let attribute: PersonioStandardAttribute
        let field: Field
        /// `"key":{"label":"…","value":`
        let prefix: [UInt8]
        /// `,"type":"…","universal_id":"…"}` (with `"currency":"EUR"` for salaries)
        let suffix: [UInt8]
    }

    enum Field: String, CaseIterable {
        case id, first_name, last_name, preferred_name, email, gender, status, position, supervisor, employment_type
        case weekly_working_hours, hire_date, contract_end_date, termination_date, termination_type, termination_reason
        case probation_period_end, created_at, last_modified_at, subcompany, office, department, team, cost_centers
        case holiday_calendar, work_schedule, absence_entitlement, fix_salary, fix_salary_interval, hourly_salary
        case vacation_day_balance, last_working_day, profile_picture
    }

    static let standardMembers: [Member] = PersonioStandardAttribute.all.compactMap { attribute in
        guard let field = Field(rawValue: attribute.key) else { return nil }
        var prefix = JSONWriter()
        prefix.beginObject()
        prefix.key(attribute.key)
        prefix.beginObject()
        prefix.key("label"); prefix.string(attribute.label)
        prefix.key("value")
        var suffix = JSONWriter()
        suffix.beginObject()
        suffix.key("type"); suffix.string(attribute.type.rawValue)
        suffix.key("universal_id"); suffix.string(attribute.universalId)
        if field == .fix_salary || field == .hourly_salary { suffix.key("currency"); suffix.string("EUR") }
        suffix.endObject()
        // prefix: drop the opening "{"; suffix: turn the leading "{" into ",".
        return Member(attribute: attribute, field: field, prefix: Array(prefix.bytes.dropFirst()),
                      suffix: [UInt8(ascii: ",")] + suffix.bytes.dropFirst())
    }

    private func writeValue(of field: Field, for e: SandboxEmployee, into json: inout JSONWriter) {
        switch field {
        case .id: json.int(e.id)
        case .first_name: json.string(e.firstName)
        case .last_name: json.string(e.lastName)
        case .preferred_name: json.string(e.preferredName ?? "")
        case .email: json.string(e.email)
        case .gender: json.string(e.gender ?? "")
        case .status: json.string(e.status)
        case .position: json.string(e.position ?? "")
        case .supervisor: writeSupervisor(e.supervisorId, into: &json)
        case .employment_type: json.string(e.employmentType ?? "")
        case .weekly_working_hours: json.string(e.weeklyWorkingHours ?? "")
        case .hire_date: writeDate(e.hireDate, into: &json)
        case .contract_end_date: writeDate(e.contractEndDate, into: &json)
        case .termination_date: writeDate(e.terminationDate, into: &json)
        case .termination_type: json.string(e.terminationType ?? "")
        case .termination_reason: json.string(e.terminationReason ?? "")
        case .probation_period_end: writeDate(e.probationPeriodEnd, into: &json)
        case .created_at: writeInstant(e.createdAt, into: &json)
        case .last_modified_at: writeInstant(e.lastModifiedAt, into: &json)
        case .subcompany: writeUnit(.subcompany, e.subcompanyId, into: &json)
        case .office: writeUnit(.office, e.officeId, into: &json)
        case .department: writeUnit(.department, e.departmentId, into: &json)
        case .team: writeUnit(.team, e.teamId, into: &json)
        case .cost_centers: writeCostCenters(e.costCenters, into: &json)
        case .holiday_calendar: writeHolidayCalendar(e.holidayCalendarId, into: &json)
        case .work_schedule: writeWorkSchedule(e.workScheduleId, into: &json)
        case .absence_entitlement: writeEntitlements(e.absenceEntitlements, into: &json)
        case .fix_salary: writeNumber(e.fixSalary ?? 0, into: &json)
        case .fix_salary_interval: json.string(e.fixSalaryInterval ?? "")
        case .hourly_salary: writeNumber(e.hourlySalary ?? 0, into: &json)
        case .vacation_day_balance: writeNumber(e.vacationDayBalance ?? 0, into: &json)
        case .last_working_day: writeDate(e.lastWorkingDay, into: &json)
        case .profile_picture:
            json.string(e.hasProfilePicture ? "\(apiBaseURL)/company/employees/\(e.id)/profile-picture" : "")
        }
    }

    private func writeDate(_ date: LocalDate?, into json: inout JSONWriter) {
        guard let date else { json.null(); return }
        let days = date.daysSinceEpoch
        json.timestamp(epochSeconds: days * 86_400 - offsets.offset(atLocalMidnightOf: days), offset: offsets.offset(atLocalMidnightOf: days))
    }

    private func writeInstant(_ date: Date, into json: inout JSONWriter) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        json.timestamp(epochSeconds: seconds, offset: offsets.offset(atEpochSeconds: seconds))
    }

    private func writeNumber(_ value: Double, into json: inout JSONWriter) {
        json.number(value)
    }

    private func writeSupervisor(_ id: Int?, into json: inout JSONWriter) {
        guard let id, let supervisor = company.employee(id: id) else { json.null(); return }
        json.typedObject("Employee") { json in
            for (key, label, type) in supervisorFields {
                json.key(key)
                json.beginObject()
                json.key("label"); json.string(label)
                json.key("value")
                switch key {
                case "id": json.int(supervisor.id)
                case "first_name": json.string(supervisor.firstName)
                case "last_name": json.string(supervisor.lastName)
                default: json.string(supervisor.email)
                }
                json.key("type"); json.string(type.rawValue)
                json.key("universal_id"); json.string(key)
                json.endObject()
            }
        }
    }

    private func writeUnit(_ kind: OrgUnitKind, _ id: Int?, into json: inout JSONWriter) {
        guard let unit = company.unit(kind, id: id) else { json.null(); return }
        json.typedObject(kind.wireType) { json in
            json.key("id"); json.int(unit.id)
            json.key("name"); json.string(unit.name)
        }
    }

    private func writeCostCenters(_ shares: [SandboxEmployee.CostCenterShare], into json: inout JSONWriter) {
        json.beginArray()
        for share in shares {
            guard let center = company.costCenters.first(where: { $0.id == share.costCenterId }) else { continue }
            json.typedObject("CostCenter") { json in
                json.key("id"); json.int(center.id)
                json.key("name"); json.string(center.name)
                json.key("percentage"); json.number(share.percentage)
            }
        }
        json.endArray()
    }

    private func writeHolidayCalendar(_ id: Int?, into json: inout JSONWriter) {
        guard let calendar = company.holidayCalendars.first(where: { $0.id == id }) else { json.null(); return }
        json.typedObject("HolidayCalendar") { json in
            json.key("id"); json.int(calendar.id)
            json.key("name"); json.string(calendar.name)
            json.key("country"); json.string(calendar.country)
            json.key("state"); json.string(calendar.state)
        }
    }

    private func writeWorkSchedule(_ id: Int?, into json: inout JSONWriter) {
        guard let schedule = company.workSchedules.first(where: { $0.id == id }) else { json.null(); return }
        json.typedObject("WorkSchedule") { json in
            json.key("id"); json.int(schedule.id)
            json.key("name"); json.string(schedule.name)
            for (day, hours) in zip(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], schedule.days) {
                json.key(day); json.string(hours)
            }
        }
    }

    private func writeEntitlements(_ entitlements: [SandboxEmployee.Entitlement], into json: inout JSONWriter) {
        json.beginArray()
        for entitlement in entitlements {
            guard let type = company.timeOffType(id: entitlement.timeOffTypeId) else { continue }
            json.typedObject("TimeOffType") { json in
                json.key("id"); json.int(type.id)
                json.key("name"); json.string(type.name)
                json.key("category"); json.string(type.category)
                json.key("entitlement"); json.number(entitlement.entitlement)
            }
        }
        json.endArray()
    }

    private func writeCustom(_ value: CustomValue?, of attribute: CustomAttribute, into json: inout JSONWriter) {
        switch value {
        case nil:
            switch attribute.type {
            case .date, .integer, .decimal: json.null()
            default: json.string("")
            }
        case .text(let text)?: json.string(text)
        case .number(let number)?: json.number(number)
        case .date(let date)?:
            if attribute.legacyDateFormat { writeDate(date, into: &json) } else { json.date(date) }
        }
    }

    /// A `ShortEmployee` (labelled id, first and last name, e-mail), as time-offs embed it.
    func writeShort(_ employeeId: Int, into json: inout JSONWriter) {
        writeSupervisor(employeeId, into: &json)
    }
}
