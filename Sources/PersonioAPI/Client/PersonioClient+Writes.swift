import Foundation
import SyncEngine

/// A new employee for `POST /company/employees`.
public struct NewEmployee: Sendable, Equatable {
    public var email: String
    public var firstName: String
    public var lastName: String
    public var position: String?
    public var department: String?
    public var office: String?
    public var hireDate: LocalDate?
    public var supervisorId: Int?
    public var status: String?
    public var weeklyWorkingHours: Double?
    /// `dynamic_<id>` → value.
    public var customAttributes: [String: String]

    public init(email: String, firstName: String, lastName: String, position: String? = nil, department: String? = nil,
                office: String? = nil, hireDate: LocalDate? = nil, supervisorId: Int? = nil, status: String? = nil,
                weeklyWorkingHours: Double? = nil, customAttributes: [String: String] = [:]) {
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.position = position
        self.department = department
        self.office = office
        self.hireDate = hireDate
        self.supervisorId = supervisorId
        self.status = status
        self.weeklyWorkingHours = weeklyWorkingHours
        self.customAttributes = customAttributes
    }

    var fields: [String: Any] {
        var fields: [String: Any] = ["email": email, "first_name": firstName, "last_name": lastName]
        if let position { fields["position"] = position }
        if let department { fields["department"] = department }
        if let office { fields["office"] = office }
        if let hireDate { fields["hire_date"] = hireDate.description }
        if let supervisorId { fields["supervisor_id"] = supervisorId }
        if let status { fields["status"] = status }
        if let weeklyWorkingHours { fields["weekly_working_hours"] = weeklyWorkingHours }
        if !customAttributes.isEmpty { fields["custom_attributes"] = customAttributes }
        return fields
    }
}

/// A Personio absence type.
public struct TimeOffType: Sendable, Equatable {
    public enum Unit: String, Sendable { case day, hour }
    public var id: Int
    public var name: String
    public var category: String?
    public var unit: Unit
}

/// A day-unit absence as Personio stores it.
public struct TimeOffPeriod: Sendable, Equatable {
    public var id: Int
    public var employeeID: Int?
    public var typeID: Int?
    public var startDate: LocalDate?
    public var endDate: LocalDate?
    public var status: String?
}

/// An hour-unit absence (`/company/absence-periods`); Personio gives these UUIDs.
public struct AbsencePeriod: Sendable, Equatable {
    public var id: String
    public var employeeID: Int?
    public var typeID: Int?
    public var startDate: LocalDate?
    public var endDate: LocalDate?
}

extension PersonioClient {
    /// Creates an employee and returns the new id. A taken e-mail is `.duplicateEmail`.
    public func createEmployee(_ employee: NewEmployee) async throws(PersonioError) -> Int {
        let body = try json(["employee": employee.fields])
        let answer: [UInt8]
        do {
            answer = try await send("POST", "/company/employees", body: body, contentType: "application/json", idempotent: false)
        } catch .validationFailed(let message, let fields) where fields["email"] != nil || message.localizedCaseInsensitiveContains("email") {
            throw .duplicateEmail(employee.email)
        }
        guard let id = (try? JSONValue.parse(Data(answer)))?["data"]?["id"]?.int else {
            throw .malformedResponse(reason: "the create answer has no data.id")
        }
        return id
    }

    /// Changes fields of an employee (`email` cannot be changed through the API).
    public func updateEmployee(id: Int, fields: [String: String]) async throws(PersonioError) {
        _ = try await send("PATCH", "/company/employees/\(id)", body: try json(["employee": fields]), contentType: "application/json")
    }

    public func timeOffTypes() async throws(PersonioError) -> [TimeOffType] {
        let body = try await send("GET", "/company/time-off-types", query: [("limit", "200")])
        guard let items = (try? JSONValue.parse(Data(body)))?["data"]?.array else {
            throw .malformedResponse(reason: "the time-off type list has no data array")
        }
        return items.compactMap { item in
            guard let attributes = item["attributes"], let id = attributes["id"].flatMap(EmployeeDecoder.integer) else { return nil }
            return TimeOffType(id: id, name: attributes["name"]?.string ?? "", category: attributes["category"]?.string,
                               unit: TimeOffType.Unit(rawValue: attributes["unit"]?.string ?? "day") ?? .day)
        }
    }

    /// Creates a day-unit absence.
    public func createTimeOff(employeeID: Int, typeID: Int, start: LocalDate, end: LocalDate, halfDayStart: Bool = false,
                              halfDayEnd: Bool = false, comment: String? = nil) async throws(PersonioError) -> TimeOffPeriod {
        var fields: [String: Any] = ["employee_id": employeeID, "time_off_type_id": typeID, "start_date": start.description,
                                     "end_date": end.description, "half_day_start": halfDayStart, "half_day_end": halfDayEnd]
        if let comment { fields["comment"] = comment }
        let body = try await send("POST", "/company/time-offs", body: try json(fields), contentType: "application/json", idempotent: false)
        guard let data = (try? JSONValue.parse(Data(body)))?["data"], let period = Self.timeOff(data) else {
            throw .malformedResponse(reason: "the time-off answer has no data.attributes.id")
        }
        return period
    }

    public func deleteTimeOff(id: Int) async throws(PersonioError) {
        _ = try await send("DELETE", "/company/time-offs/\(id)")
    }

    /// Creates an hour-unit absence; within one day it needs `startTime` and `endTime` (HH:mm).
    public func createAbsencePeriod(employeeID: Int, typeID: Int, start: LocalDate, end: LocalDate, startTime: String? = nil,
                                    endTime: String? = nil, halfDayStart: Bool = false, halfDayEnd: Bool = false,
                                    comment: String? = nil) async throws(PersonioError) -> AbsencePeriod {
        var fields: [String: Any] = ["employee_id": employeeID, "time_off_type_id": typeID, "start_date": start.description,
                                     "end_date": end.description, "half_day_start": halfDayStart, "half_day_end": halfDayEnd]
        if let startTime { fields["start_time"] = startTime }
        if let endTime { fields["end_time"] = endTime }
        if let comment { fields["comment"] = comment }
        let body = try await send("POST", "/company/absence-periods", body: try json(fields), contentType: "application/json", idempotent: false)
        // Personio's own example answers with a one-element array; the schema says an object. Both are read.
        let data = (try? JSONValue.parse(Data(body)))?["data"]
        guard let item = data?.array?.first ?? data, let period = Self.absencePeriod(item) else {
            throw .malformedResponse(reason: "the absence-period answer has no data.attributes.id")
        }
        return period
    }

    public func deleteAbsencePeriod(id: String) async throws(PersonioError) {
        _ = try await send("DELETE", "/company/absence-periods/\(id)")
    }

    /// Hour-unit absences overlapping a period, optionally for some employees (all pages; `offset` counts items).
    public func absencePeriods(from start: LocalDate, to end: LocalDate, employees: [Int] = []) async throws(PersonioError) -> [AbsencePeriod] {
        var periods: [AbsencePeriod] = []
        while true {
            var query = [("start_date", start.description), ("end_date", end.description), ("limit", "200"), ("offset", String(periods.count))]
            for id in employees { query.append(("employees[]", String(id))) }
            let body = try await send("GET", "/company/absence-periods", query: query)
            guard let document = try? JSONValue.parse(Data(body)), let items = document["data"]?.array else {
                throw .malformedResponse(reason: "the absence-period list has no data array")
            }
            periods += items.compactMap(Self.absencePeriod)
            let total = document["metadata"]?["total_elements"]?.int ?? periods.count
            if items.isEmpty || periods.count >= total { return periods }
        }
    }

    static func absencePeriod(_ item: JSONValue) -> AbsencePeriod? {
        guard let attributes = item["attributes"], let id = attributes["id"]?.string else { return nil }
        let employeeID = attributes["employee"]?["attributes"]?["id"].flatMap { EmployeeDecoder.value($0) }.flatMap(EmployeeDecoder.integer)
        func day(_ text: String?) -> LocalDate? { text.flatMap { LocalDate(String($0.prefix(10))) } }
        return AbsencePeriod(id: id, employeeID: employeeID,
                             typeID: attributes["absence_type"]?["attributes"]?["time_off_type_id"].flatMap(EmployeeDecoder.integer),
                             startDate: day(attributes["start"]?.string), endDate: day(attributes["end"]?.string))
    }

    /// Day-unit absences overlapping a period, optionally for some employees (all pages).
    public func timeOffs(from start: LocalDate, to end: LocalDate, employees: [Int] = []) async throws(PersonioError) -> [TimeOffPeriod] {
        var periods: [TimeOffPeriod] = []
        var page = 1
        while true {
            var query = [("start_date", start.description), ("end_date", end.description), ("limit", "200"), ("offset", String(page))]
            for id in employees { query.append(("employees[]", String(id))) }
            let body = try await send("GET", "/company/time-offs", query: query)
            guard let document = try? JSONValue.parse(Data(body)), let items = document["data"]?.array else {
                throw .malformedResponse(reason: "the time-off list has no data array")
            }
            periods += items.compactMap(Self.timeOff)
            let totalPages = document["metadata"]?["total_pages"]?.int ?? page
            if items.isEmpty || page >= totalPages { return periods }
            page += 1
        }
    }

    static func timeOff(_ item: JSONValue) -> TimeOffPeriod? {
        guard let attributes = item["attributes"], let id = attributes["id"].flatMap(EmployeeDecoder.integer) else { return nil }
        let employeeID = attributes["employee"]?["attributes"]?["id"].flatMap { EmployeeDecoder.value($0) }.flatMap(EmployeeDecoder.integer)
        return TimeOffPeriod(id: id, employeeID: employeeID,
                             typeID: attributes["time_off_type"]?["attributes"]?["id"].flatMap(EmployeeDecoder.integer),
                             startDate: attributes["start_date"]?.string.flatMap { LocalDate(String($0.prefix(10))) },
                             endDate: attributes["end_date"]?.string.flatMap { LocalDate(String($0.prefix(10))) },
                             status: attributes["status"]?.string)
    }

    func json(_ object: [String: Any]) throws(PersonioError) -> [UInt8] {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else {
            throw .badRequest(message: "the request could not be encoded", fields: [:])
        }
        return Array(data)
    }
}
