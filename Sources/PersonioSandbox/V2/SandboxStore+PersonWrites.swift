import Foundation
import PersonioAPI

/// v2 writes: `POST /v2/persons`, `PATCH /v2/persons/{id}`, `PATCH /v2/persons/{id}/employments/{id}`.
/// They change the same employees as v1 and the admin API, through the same editor.
extension SandboxStore {
    /// Creates a person with their employment; returns the new person's id.
    func createPerson(body: [String: PlainValue]) throws(V2Failure) -> Int {
        let fields = try V2WriteInput.newPerson(body)
        if let email = fields["email"]?.text, company.employeeId(email: email) != nil {
            throw V2Failure(status: 409, title: "Conflict", detail: "A person with the email \(email) already exists.",
                            code: "persons.email_already_taken", meta: ["field": "email"])
        }
        do {
            let (employee, _) = try buildEmployee(fields: fields, mode: .admin)
            add(employee)
            return employee.id
        } catch {
            throw Self.v2Failure(error)
        }
    }

    func updatePerson(id: String, body: [String: PlainValue], credential: SandboxCredential, origin: String) throws(V2Failure) -> [UInt8] {
        try edit(id: id, fields: try V2WriteInput.person(body))
        return try personDocument(credential: credential, id: id, origin: origin)
    }

    func updateEmployment(personID: String, id: String, body: [String: PlainValue], credential: SandboxCredential,
                          origin: String) throws(V2Failure) -> [UInt8] {
        guard let number = Int(personID), let employee = company.employee(id: number),
              id.lowercased() == PersonRenderer.employmentID(of: employee.id) else { throw .notFound() }
        try edit(id: personID, fields: try V2WriteInput.employment(body))
        return try employmentDocument(credential: credential, personID: personID, id: id, origin: origin)
    }

    private func edit(id: String, fields: [String: PlainValue]) throws(V2Failure) {
        guard let number = Int(id), var employee = company.employee(id: number) else { throw .notFound() }
        var editor = EmployeeEditor(mode: .admin)
        do { try editor.apply(fields, to: &employee, in: &company) } catch {
            throw .invalidField(Self.v2Name(of: error.field), error.message)
        }
        commit(&employee, changed: editor.changed)
    }

    static func v2Failure(_ failure: PersonioFailure) -> V2Failure {
        let field = failure.errorData?.keys.first.map(v2Name) ?? "body"
        return .invalidField(field, failure.message)
    }

    /// The v2 name of a field the editor reports under its v1 key.
    static func v2Name(of v1Key: String) -> String {
        switch v1Key {
        case "hire_date": "employment_start_date"
        case "probation_period_end": "probation_end_date"
        case "employment_type": "type"
        case "supervisor_id": "supervisor.id"
        case "office_id": "office.id"
        case "subcompany_id": "legal_entity.id"
        case "department_id", "team_id": "org_units"
        default: v1Key.hasPrefix("dynamic_") ? "custom_attributes" : v1Key
        }
    }
}
