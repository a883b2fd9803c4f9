import Foundation
import PersonioAPI
import SyncEngine

extension SandboxStore {
    static let defaultPageSize = 50
    static let maximumPageSize = 100

    /// `GET /v1/company/employees`: the page's employees, chosen inside the actor; the caller renders
    /// them (`EmployeeListing.render()`) outside it, so several pages are written at once.
    func employeesPage(credential: SandboxCredential, query: [(String, String)], apiBaseURL: String) throws(PersonioFailure) -> EmployeeListing {
        let limit = try pageLimit(query, default: Self.defaultPageSize, maximum: Self.maximumPageSize)
        let offset = try integer(query, "offset", default: 0, minimum: 0)
        let projection = Set(values(query, "attributes[]") + values(query, "attributes"))
        let email = values(query, "email").first
        var updatedSince: Date?
        if let text = values(query, "updated_since").first {
            guard let date = PersonioTimestamp.parse(text, defaultTimeZone: configuration.timeZone) else {
                throw .badRequest("updated_since",
                                  "The updated_since parameter must be an ISO 8601 date-time (2022-12-24T08:15:30) or a date (YYYY-MM-DD).")
            }
            updatedSince = date
        }
        applyAttributeDropFault()
        let credential = v1View(company.credential(clientId: credential.clientId) ?? credential)

        let selected: [SandboxEmployee]
        if let updatedSince {
            let watched = projection.filter { $0 != "id" && credential.mayRead($0) }
            selected = company.employees.filter { employee in
                watched.isEmpty
                    ? employee.lastModifiedAt > updatedSince
                    : watched.contains { employee.changeTime(of: $0) > updatedSince }
            }
        } else if let email {
            selected = company.employeeId(email: email).flatMap { company.employee(id: $0) }.map { [$0] } ?? []
        } else {
            selected = company.employees
        }

        let total = selected.count
        let start = min(offset, total)
        var end = min(offset + limit, total)
        if faults.truncateNextPages > 0, end < total, end > start {
            faults.truncateNextPages -= 1
            end = start + (end - start) / 2
        }
        let renderer = EmployeeRenderer(company: company, credential: credential,
                                        projection: projection.isEmpty ? nil : projection,
                                        timeZone: configuration.timeZone, apiBaseURL: apiBaseURL, offsets: offsets)
        return EmployeeListing(renderer: renderer, employees: Array(selected[start..<end]), total: total, offset: offset, limit: limit)
    }

    /// `GET /v1/company/employees/{id}`.
    func employeeDocument(credential: SandboxCredential, id: String, apiBaseURL: String) throws(PersonioFailure) -> [UInt8] {
        guard let employeeId = Int(id), let employee = company.employee(id: employeeId) else {
            throw .notFound("Employee with ID \(id) not found")
        }
        let renderer = EmployeeRenderer(company: company, credential: v1View(credential), projection: nil,
                                        timeZone: configuration.timeZone, apiBaseURL: apiBaseURL, offsets: offsets)
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data"); renderer.write(employee, into: &json)
        json.endObject()
        return json.bytes
    }

    /// `GET /v1/company/employees/attributes`: what this credential may read.
    func attributesDocument(credential: SandboxCredential) -> [UInt8] {
        let credential = v1View(credential)
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data")
        json.beginArray()
        func describe(_ key: String, _ label: String, _ type: PersonioAttributeType, _ universalId: String?, options: [String]) {
            json.beginObject()
            json.key("key"); json.string(key)
            json.key("label"); json.string(label)
            json.key("type"); json.string(type.rawValue)
            json.key("universal_id"); json.string(universalId)
            json.key("options")
            json.beginArray()
            options.forEach { json.string($0) }
            json.endArray()
            json.endObject()
        }
        for attribute in PersonioStandardAttribute.all where credential.mayRead(attribute.key) {
            let options = switch attribute.key {
            case "status": EmployeeStatus.allCases.map(\.rawValue)
            case "gender": ["male", "female", "diverse"]
            default: [String]()
            }
            describe(attribute.key, attribute.label, attribute.type, attribute.universalId, options: options)
        }
        for attribute in company.customAttributes where credential.mayRead(attribute.key) {
            describe(attribute.key, attribute.label, attribute.type, attribute.universalId, options: attribute.options)
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `POST /v1/company/employees`.
    func createEmployee(fields: [String: PlainValue]) throws(PersonioFailure) -> [UInt8] {
        for required in ["email", "first_name", "last_name"] where fields[required]?.isBlank ?? true {
            throw .unprocessable(FieldError(field: required, message: "The \(required) field is required."))
        }
        let (employee, notes) = try buildEmployee(fields: fields, mode: .create)
        add(employee)
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data")
        json.beginObject()
        json.key("id"); json.int(employee.id)
        json.key("message"); json.string("success")
        json.endObject()
        if !notes.isEmpty {
            json.key("meta")
            json.beginArray()
            notes.forEach { json.string($0) }
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }

    /// `PATCH /v1/company/employees/{id}`.
    func updateEmployee(id: String, fields: [String: PlainValue]) throws(PersonioFailure) -> [UInt8] {
        guard let employeeId = Int(id), var employee = company.employee(id: employeeId) else {
            throw .notFound("Employee with ID \(id) not found")
        }
        var editor = EmployeeEditor(mode: .update)
        do { try editor.apply(fields, to: &employee, in: &company) } catch { throw .unprocessable(error) }
        commit(&employee, changed: editor.changed)
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data")
        json.beginObject()
        json.key("id"); json.int(employee.id)
        json.key("message"); json.string("success")
        json.endObject()
        json.key("meta")
        json.beginArray()
        editor.notes.forEach { json.string($0) }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `GET /v1/company/employees/{id}/profile-picture/{width}`: a PNG, or 404 without one.
    func profilePicture(credential: SandboxCredential, id: String, width: String?) throws(PersonioFailure) -> [UInt8] {
        var size = 100
        if let width {
            guard let value = Int(width), (1...2000).contains(value) else {
                throw .badRequest("width", "The width must be an integer between 1 and 2000.")
            }
            size = value
        }
        guard let employeeId = Int(id), let employee = company.employee(id: employeeId),
              employee.hasProfilePicture, credential.mayRead("profile_picture") else {
            throw .notFound("Profile picture not found")
        }
        return ProfilePicture.png(size: size, seed: employee.id)
    }

    // MARK: Shared by the Personio and admin write paths

    /// A new employee from written fields, with Personio's defaults (status from the hire date).
    func buildEmployee(fields: [String: PlainValue], mode: EmployeeEditor.Mode) throws(PersonioFailure) -> (SandboxEmployee, [String]) {
        let current = now
        var employee = SandboxEmployee(
            id: company.nextEmployeeId, firstName: "", lastName: "", email: "", status: "",
            createdAt: current, lastModifiedAt: current)
        var editor = EmployeeEditor(mode: mode)
        do { try editor.apply(fields, to: &employee, in: &company) } catch { throw .unprocessable(error) }
        if employee.hireDate == nil, mode == .admin { employee.hireDate = today }
        if employee.status.isEmpty {
            employee.status = (employee.hireDate.map { $0 > today } ?? false) ? "onboarding" : "active"
        }
        return (employee, editor.notes)
    }

    /// Stores a new employee (built by `buildEmployee`) and announces it to webhooks.
    func add(_ employee: SandboxEmployee) {
        company.add { _ in employee }
        persistQuietly()
        emitCreated(employee)
    }

    /// Stores an edited employee and stamps the changed attributes, as Personio's history does.
    func commit(_ employee: inout SandboxEmployee, changed: Set<String>) {
        guard !changed.isEmpty else { return }
        let current = now
        // v2 dates a person and an employment apart; the first change keeps the time before it.
        if employee.modifiedAt.isEmpty { employee.modifiedAt[SandboxEmployee.baselineKey] = employee.lastModifiedAt }
        for key in changed { employee.modifiedAt[key] = current }
        employee.modifiedAt["last_modified_at"] = current
        employee.lastModifiedAt = current
        company.replace(employee)
        persistQuietly()
        emitChanges(of: employee, changed: changed)
    }

    /// The credential as v1 applies it: without `vacation_day_balance` while the switch hides it.
    func v1View(_ credential: SandboxCredential) -> SandboxCredential {
        guard !faults.v1VacationDayBalance else { return credential }
        var view = credential
        let everything = Set(PersonioStandardAttribute.all.map(\.key) + company.customAttributes.map(\.key))
        view.readableAttributes = (credential.readableAttributes ?? everything).subtracting(["vacation_day_balance"])
        return view
    }

    private func applyAttributeDropFault() {
        employeeListRequests += 1
        guard let attribute = faults.dropAttribute else { return }
        if faults.dropAttributeAfterRequests > 0 {
            faults.dropAttributeAfterRequests -= 1
            return
        }
        let everything = Set(PersonioStandardAttribute.all.map(\.key) + company.customAttributes.map(\.key))
        for index in company.credentials.indices {
            var readable = company.credentials[index].readableAttributes ?? everything
            readable.remove(attribute)
            company.credentials[index].readableAttributes = readable
        }
        faults.dropAttribute = nil
    }

    // MARK: Query helpers

    func values(_ query: [(String, String)], _ name: String) -> [String] {
        query.filter { $0.0 == name }.map(\.1)
    }

    /// Offsets, limits and ids are at most 2³¹ − 1 (Personio's own integers), which also keeps
    /// `offset + limit` and `page × limit` from overflowing.
    func integer(_ query: [(String, String)], _ name: String, default value: Int, minimum: Int,
                 maximum: Int = Int(Int32.max)) throws(PersonioFailure) -> Int {
        guard let text = values(query, name).last else { return value }
        guard let number = Int(text), number >= minimum, number <= maximum else {
            throw .badRequest(name, "The \(name) parameter must be an integer from \(minimum) to \(maximum).")
        }
        return number
    }

    func pageLimit(_ query: [(String, String)], default value: Int, maximum: Int) throws(PersonioFailure) -> Int {
        let limit = try integer(query, "limit", default: value, minimum: 1)
        if limit > maximum {
            if faults.overLimit == .clamp { return maximum }
            throw .badRequest("limit", "The limit parameter may not be greater than \(maximum).")
        }
        return limit
    }
}

/// One page of `GET /v1/company/employees`, taken from the store: rendering it is most of the
/// sandbox's work for a listing and needs nothing the actor guards, so it happens in the request's task.
struct EmployeeListing: Sendable {
    let renderer: EmployeeRenderer
    let employees: [SandboxEmployee]
    let total: Int
    let offset: Int
    let limit: Int

    func render() -> [UInt8] {
        JSONWriter.list(total: total, currentPage: offset / limit, offset: offset, limit: limit,
                        capacity: max(1024, employees.count * 6144)) { json in
            for employee in employees { renderer.write(employee, into: &json) }
        }
    }
}
