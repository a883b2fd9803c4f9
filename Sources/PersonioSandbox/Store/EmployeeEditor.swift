import Foundation
import SyncEngine

/// A field the client got wrong, with the message Personio (or the admin API) reports for it.
struct FieldError: Error, Equatable {
    var field: String
    var message: String
}

/// Applies written fields to an employee. One implementation serves Personio's create and update
/// endpoints (which accept a fixed set of fields, ignore unknown ones and only reference existing
/// departments) and the sandbox admin API (which may set any attribute and creates units by name).
struct EmployeeEditor {
    enum Mode { case create, update, admin }

    let mode: Mode
    /// Notes for Personio's `meta` list (e.g. an unknown department that was ignored).
    private(set) var notes: [String] = []
    /// Attribute keys whose value changed.
    private(set) var changed: Set<String> = []

    init(mode: Mode) {
        self.mode = mode
    }

    private static let personioFields: Set<String> = [
        "email", "first_name", "last_name", "preferred_name", "gender", "position", "subcompany", "department",
        "office", "hire_date", "weekly_working_hours", "status", "supervisor_id", "custom_attributes",
    ]

    private static let adminOnlyFields: Set<String> = [
        "employment_type", "contract_end_date", "termination_date", "termination_type", "termination_reason",
        "probation_period_end", "last_working_day", "team", "fix_salary", "fix_salary_interval", "hourly_salary",
        "vacation_day_balance", "has_profile_picture", "department_id", "office_id", "subcompany_id", "team_id",
    ]

    static let genders: Set<String> = ["male", "female", "diverse"]

    mutating func apply(_ fields: [String: PlainValue], to employee: inout SandboxEmployee, in company: inout Company) throws(FieldError) {
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            if key.hasPrefix("dynamic_"), mode == .admin {
                try setCustom(key, value, on: &employee, company: company)
                continue
            }
            let allowed = Self.personioFields.contains(key) || (mode == .admin && Self.adminOnlyFields.contains(key))
            if !allowed || (key == "email" && mode == .update) {
                if mode == .admin { throw FieldError(field: key, message: "\(key) is not an attribute the sandbox can set") }
                continue
            }
            try set(key, value, on: &employee, company: &company)
        }
    }

    private mutating func set(_ key: String, _ value: PlainValue, on e: inout SandboxEmployee, company: inout Company) throws(FieldError) {
        switch key {
        case "email":
            let email = try requiredText(key, value).trimmingCharacters(in: .whitespaces)
            guard Self.isEmail(email) else { throw FieldError(field: key, message: "The email must be a valid email address.") }
            if let owner = company.employeeId(email: email), owner != e.id {
                throw FieldError(field: key, message: "The email has already been taken.")
            }
            update(key, &e.email, email)
        case "first_name": update(key, &e.firstName, try requiredText(key, value))
        case "last_name": update(key, &e.lastName, try requiredText(key, value))
        case "preferred_name": update(key, &e.preferredName, try optionalText(key, value))
        case "gender":
            let gender = try optionalText(key, value)
            if let gender, !Self.genders.contains(gender) {
                throw FieldError(field: key, message: "The gender must be one of male, female, diverse.")
            }
            update(key, &e.gender, gender)
        case "position": update(key, &e.position, try optionalText(key, value))
        case "status":
            let status = try requiredText(key, value)
            guard EmployeeStatus(rawValue: status) != nil else {
                throw FieldError(field: key, message: "The status must be one of active, onboarding, leave, inactive.")
            }
            update(key, &e.status, status)
        case "hire_date": update(key, &e.hireDate, try date(key, value))
        case "contract_end_date": update(key, &e.contractEndDate, try date(key, value))
        case "termination_date": update(key, &e.terminationDate, try date(key, value))
        case "probation_period_end": update(key, &e.probationPeriodEnd, try date(key, value))
        case "last_working_day": update(key, &e.lastWorkingDay, try date(key, value))
        case "termination_type": update(key, &e.terminationType, try optionalText(key, value))
        case "termination_reason": update(key, &e.terminationReason, try optionalText(key, value))
        case "employment_type":
            let type = try optionalText(key, value)
            if let type, type != "internal", type != "external" {
                throw FieldError(field: key, message: "The employment_type must be internal or external.")
            }
            update(key, &e.employmentType, type)
        case "fix_salary_interval": update(key, &e.fixSalaryInterval, try optionalText(key, value))
        case "weekly_working_hours":
            if value.isBlank { update(key, &e.weeklyWorkingHours, nil); return }
            guard let hours = value.numeric, hours >= 0, hours <= 168 else {
                throw FieldError(field: key, message: "The weekly_working_hours must be a number between 0 and 168.")
            }
            update(key, &e.weeklyWorkingHours, PlainValue.number(hours).text)
        case "fix_salary": update(key, &e.fixSalary, try decimal(key, value))
        case "hourly_salary": update(key, &e.hourlySalary, try decimal(key, value))
        case "vacation_day_balance": update(key, &e.vacationDayBalance, try decimal(key, value))
        case "has_profile_picture":
            guard let flag = value.flag else { throw FieldError(field: key, message: "has_profile_picture must be true or false.") }
            update("profile_picture", &e.hasProfilePicture, flag)
        case "supervisor_id":
            if value.isBlank { update("supervisor", &e.supervisorId, nil); return }
            guard let id = value.integer else { throw FieldError(field: key, message: "The supervisor_id must be an integer.") }
            guard id != e.id, company.employee(id: id) != nil else {
                throw FieldError(field: key, message: "Supervisor with ID \(id) not found")
            }
            update("supervisor", &e.supervisorId, id)
        case "department_id": try setUnit(.department, id: key, value, &e.departmentId, company: company)
        case "office_id": try setUnit(.office, id: key, value, &e.officeId, company: company)
        case "subcompany_id": try setUnit(.subcompany, id: key, value, &e.subcompanyId, company: company)
        case "team_id": try setUnit(.team, id: key, value, &e.teamId, company: company)
        case "department": try setUnit(.department, key, value, &e.departmentId, company: &company)
        case "office": try setUnit(.office, key, value, &e.officeId, company: &company)
        case "subcompany": try setUnit(.subcompany, key, value, &e.subcompanyId, company: &company)
        case "team": try setUnit(.team, key, value, &e.teamId, company: &company)
        case "custom_attributes":
            guard case .object(let attributes) = value else {
                throw FieldError(field: key, message: "The custom_attributes must be an object of dynamic_<id> keys.")
            }
            for name in attributes.keys.sorted() {
                guard company.customAttribute(key: name) != nil else {
                    notes.append("Custom attribute \(name) does not exist and was ignored.")
                    continue
                }
                try setCustom(name, attributes[name] ?? .null, on: &e, company: company)
            }
        default:
            break
        }
    }

    private mutating func setUnit(
        _ kind: OrgUnitKind, _ key: String, _ value: PlainValue, _ slot: inout Int?, company: inout Company
    ) throws(FieldError) {
        guard let name = try optionalText(key, value) else { update(key, &slot, nil); return }
        if mode == .admin {
            update(key, &slot, company.unitId(kind, named: name))
        } else if let unit = company.unit(kind, named: name) {
            update(key, &slot, unit.id)
        } else {
            notes.append("The \(key) '\(name)' does not exist in Personio and was ignored.")
        }
    }

    /// A unit by id (v2 writes name units by id): it must exist.
    private mutating func setUnit(_ kind: OrgUnitKind, id key: String, _ value: PlainValue, _ slot: inout Int?,
                                  company: Company) throws(FieldError) {
        let attribute = String(key.dropLast(3))
        if value.isBlank { update(attribute, &slot, nil); return }
        guard let id = value.integer, company.unit(kind, id: id) != nil else {
            throw FieldError(field: key, message: "There is no \(kind.rawValue) with id \(value.text ?? "?").")
        }
        update(attribute, &slot, id)
    }

    private mutating func setCustom(_ key: String, _ value: PlainValue, on e: inout SandboxEmployee, company: Company) throws(FieldError) {
        guard let attribute = company.customAttribute(key: key) else {
            throw FieldError(field: key, message: "\(key) is not a custom attribute of this company")
        }
        var newValue: CustomValue?
        if !value.isBlank {
            switch attribute.type {
            case .date:
                guard let text = value.text, let date = LocalDate(text) else {
                    throw FieldError(field: key, message: "\(attribute.label) must be a date as YYYY-MM-DD.")
                }
                newValue = .date(date)
            case .integer, .decimal:
                guard let number = value.numeric else { throw FieldError(field: key, message: "\(attribute.label) must be a number.") }
                newValue = .number(number)
            case .list:
                guard let text = value.text, attribute.options.isEmpty || attribute.options.contains(text) else {
                    throw FieldError(field: key, message: "\(attribute.label) must be one of \(attribute.options.joined(separator: ", ")).")
                }
                newValue = .text(text)
            default:
                guard let text = value.text else { throw FieldError(field: key, message: "\(attribute.label) must be text.") }
                newValue = .text(text)
            }
        }
        let old = e.custom[key]
        if old != newValue {
            e.custom[key] = newValue
            changed.insert(key)
        }
    }

    private mutating func update<T: Equatable>(_ key: String, _ slot: inout T, _ value: T) {
        if slot != value {
            slot = value
            changed.insert(key)
        }
    }

    private func requiredText(_ key: String, _ value: PlainValue) throws(FieldError) -> String {
        guard let text = value.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw FieldError(field: key, message: "The \(key) field is required.")
        }
        return text
    }

    private func optionalText(_ key: String, _ value: PlainValue) throws(FieldError) -> String? {
        if value.isBlank { return nil }
        guard let text = value.text else { throw FieldError(field: key, message: "The \(key) must be a string.") }
        return text
    }

    private func date(_ key: String, _ value: PlainValue) throws(FieldError) -> LocalDate? {
        if value.isBlank { return nil }
        guard let text = value.text, text.utf8.count == 10, let date = LocalDate(text) else {
            throw FieldError(field: key, message: "The \(key) does not match the format Y-m-d.")
        }
        return date
    }

    private func decimal(_ key: String, _ value: PlainValue) throws(FieldError) -> Double? {
        if value.isBlank { return nil }
        guard let number = value.numeric else { throw FieldError(field: key, message: "The \(key) must be a number.") }
        return number
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(" ")
    }
}
