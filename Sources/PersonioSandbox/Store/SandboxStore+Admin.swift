import Foundation
import PersonioAPI
import SyncEngine

/// The sandbox admin API: change the company the way an HR admin would in Personio, manage
/// credentials, and switch faults. Each change stamps `last_modified_at` like Personio does.
extension SandboxStore {
    func adminCreateEmployee(fields: [String: PlainValue]) throws(AdminFailure) -> Int {
        for required in ["email", "first_name", "last_name"] where fields[required]?.isBlank ?? true {
            throw .invalid(required, "\(required) is required")
        }
        do {
            let (employee, _) = try buildEmployee(fields: fields, mode: .admin)
            add(employee)
            return employee.id
        } catch {
            throw Self.adminFailure(error)
        }
    }

    func adminUpdateEmployee(id: Int, fields: [String: PlainValue]) throws(AdminFailure) -> [String] {
        guard var employee = company.employee(id: id) else { throw .notFound("No employee with id \(id)") }
        var editor = EmployeeEditor(mode: .admin)
        do { try editor.apply(fields, to: &employee, in: &company) } catch {
            throw .invalid(error.field, error.message)
        }
        commit(&employee, changed: editor.changed)
        return editor.changed.sorted()
    }

    /// Terminates: sets the termination date (and last working day); a date today or earlier
    /// makes the employee `inactive` at once.
    func adminTerminate(id: Int, date: LocalDate, type: String?, reason: String?, lastWorkingDay: LocalDate?) throws(AdminFailure) {
        guard company.employee(id: id) != nil else { throw .notFound("No employee with id \(id)") }
        var fields: [String: PlainValue] = [
            "termination_date": .string(date.description),
            "last_working_day": .string((lastWorkingDay ?? date).description),
        ]
        if let type { fields["termination_type"] = .string(type) }
        if let reason { fields["termination_reason"] = .string(reason) }
        if date <= today { fields["status"] = .string("inactive") }
        _ = try adminUpdateEmployee(id: id, fields: fields)
    }

    func adminDeleteEmployee(id: Int) throws(AdminFailure) {
        guard company.removeEmployee(id: id) else { throw .notFound("No employee with id \(id)") }
        persistQuietly()
        emitDeleted(personID: id)
    }

    // MARK: Credentials

    func credentials() -> [SandboxCredential] { company.credentials }

    func addCredential(_ credential: SandboxCredential) throws(AdminFailure) {
        guard company.credential(clientId: credential.clientId) == nil else {
            throw AdminFailure(status: 409, code: "conflict", message: "A credential with client_id \(credential.clientId) exists",
                               field: "client_id")
        }
        try validate(credential)
        company.credentials.append(credential)
        persistQuietly()
    }

    func replaceCredential(_ credential: SandboxCredential) throws(AdminFailure) {
        guard let index = company.credentials.firstIndex(where: { $0.clientId == credential.clientId }) else {
            throw .notFound("No credential with client_id \(credential.clientId)")
        }
        try validate(credential)
        company.credentials[index] = credential
        persistQuietly()
    }

    func credential(clientId: String) -> SandboxCredential? { company.credential(clientId: clientId) }

    func removeCredential(clientId: String) throws(AdminFailure) {
        guard let index = company.credentials.firstIndex(where: { $0.clientId == clientId }) else {
            throw .notFound("No credential with client_id \(clientId)")
        }
        company.credentials.remove(at: index)
        persistQuietly()
    }

    private func validate(_ credential: SandboxCredential) throws(AdminFailure) {
        guard let readable = credential.readableAttributes else { return }
        let known = Set(PersonioStandardAttribute.all.map(\.key) + company.customAttributes.map(\.key))
        if let unknown = readable.subtracting(known).sorted().first {
            throw .invalid("readable_attributes", "\(unknown) is not an employee attribute of this company")
        }
    }

    // MARK: Faults

    func setFaults(_ newFaults: SandboxFaults) throws(AdminFailure) {
        if let problem = newFaults.validationError() { throw .invalid(problem.field, problem.message) }
        if newFaults.v2RequestsPerMinute != faults.v2RequestsPerMinute {
            v2Limiter = RateLimiter(perMinute: newFaults.v2RequestsPerMinute > 0 ? newFaults.v2RequestsPerMinute : Int.max)
        }
        faults = newFaults
    }

    // MARK: Overview

    struct Summary: Codable, Sendable {
        var employees: Int
        var byStatus: [String: Int]
        var timeOffs: Int
        var credentials: Int
        var today: String

        enum CodingKeys: String, CodingKey {
            case employees, byStatus = "by_status", timeOffs = "time_offs", credentials, today
        }
    }

    func summary() -> Summary {
        Summary(employees: company.employees.count,
                byStatus: Dictionary(grouping: company.employees, by: \.status).mapValues(\.count),
                timeOffs: company.timeOffs.count, credentials: company.credentials.count, today: today.description)
    }

    static func adminFailure(_ failure: PersonioFailure) -> AdminFailure {
        let field = failure.errorData?.keys.first
        return AdminFailure(status: failure.status, code: failure.status == 422 ? "invalid_field" : "error",
                            message: failure.message, field: field)
    }
}
