import Foundation
import PersonioAPI
import SyncEngine

extension SandboxStore {
    static let timeOffPageSize = 200

    /// `GET /v1/company/time-off-types`.
    func timeOffTypesDocument(query: [(String, String)]) throws(PersonioFailure) -> [UInt8] {
        let limit = try pageLimit(query, default: 200, maximum: 200)
        let offset = try integer(query, "offset", default: 0, minimum: 0)
        let types = company.timeOffTypes
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data")
        json.beginArray()
        for type in types.dropFirst(offset).prefix(limit) {
            json.typedObject("TimeOffType") { json in
                json.key("id"); json.int(type.id)
                json.key("name"); json.string(type.name)
                json.key("category"); json.string(type.category)
                json.key("unit"); json.string(type.unit.rawValue)
                json.key("approval_required"); json.bool(type.approvalRequired)
            }
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `GET /v1/company/time-offs`: day-unit absences, `offset` is a 1-based page number.
    func timeOffsPage(credential: SandboxCredential, query: [(String, String)]) throws(PersonioFailure) -> [UInt8] {
        let limit = try pageLimit(query, default: Self.timeOffPageSize, maximum: Self.timeOffPageSize)
        let page = max(1, try integer(query, "offset", default: 1, minimum: 0))
        let start = try optionalDate(query, "start_date")
        let end = try optionalDate(query, "end_date")
        if let start, let end, end < start {
            throw .badRequest("end_date", "The end_date must be a date after or equal to start_date.")
        }
        let updatedFrom = try optionalInstant(query, "updated_from")
        let updatedTo = try optionalInstant(query, "updated_to")
        let employeeIds = try employeeFilter(query)
        let selected = company.timeOffs.filter { timeOff in
            guard company.timeOffType(id: timeOff.timeOffTypeId)?.unit == .day else { return false }
            if !employeeIds.isEmpty, !employeeIds.contains(timeOff.employeeId) { return false }
            if !timeOff.overlaps(start ?? LocalDate(daysSinceEpoch: -1_000_000), end ?? LocalDate(daysSinceEpoch: 1_000_000)) {
                return false
            }
            if let updatedFrom, timeOff.updatedAt < updatedFrom { return false }
            if let updatedTo, timeOff.updatedAt > updatedTo { return false }
            return true
        }
        let total = selected.count
        let first = min((page - 1) * limit, total)
        let last = min(first + limit, total)
        return JSONWriter.list(total: total, currentPage: page, offset: page, limit: limit) { json in
            for timeOff in selected[first..<last] { writeTimeOff(timeOff, credential: credential, into: &json) }
        }
    }

    /// `GET /v1/company/time-offs/{id}`.
    func timeOffDocument(credential: SandboxCredential, id: String) throws(PersonioFailure) -> [UInt8] {
        guard let timeOffId = Int(id), let timeOff = company.timeOff(id: timeOffId),
              company.timeOffType(id: timeOff.timeOffTypeId)?.unit == .day else {
            throw .notFound("Time-off period with ID \(id) not found")
        }
        return envelope { writeTimeOff(timeOff, credential: credential, into: &$0) }
    }

    /// `POST /v1/company/time-offs`.
    func createTimeOff(credential: SandboxCredential, fields: [String: PlainValue]) throws(PersonioFailure) -> [UInt8] {
        let timeOff = try addAbsence(fields, unit: .day)
        return envelope { writeTimeOff(timeOff, credential: credential, into: &$0) }
    }

    /// `POST /v1/company/absence-periods` (hour-unit types; 201).
    func createAbsencePeriod(credential: SandboxCredential, fields: [String: PlainValue]) throws(PersonioFailure) -> [UInt8] {
        let timeOff = try addAbsence(fields, unit: .hour)
        return envelope { writeAbsencePeriod(timeOff, credential: credential, into: &$0) }
    }

    /// `DELETE /v1/company/absence-periods/{id}`.
    func deleteAbsencePeriod(id: String) throws(PersonioFailure) -> [UInt8] {
        try removeAbsence(TimeOff.id(periodID: id), unit: .hour, notFound: "Absence period with ID \(id) not found")
    }

    /// Removes a time-off of the unit its endpoint serves (the other unit's ids are not found there).
    private func removeAbsence(_ timeOffId: Int?, unit: TimeOffType.Unit, notFound: String) throws(PersonioFailure) -> [UInt8] {
        guard let timeOffId, let timeOff = company.timeOff(id: timeOffId), company.timeOffType(id: timeOff.timeOffTypeId)?.unit == unit,
              company.removeTimeOff(id: timeOffId) else { throw .notFound(notFound) }
        persistQuietly()
        emitAbsence("absence-period.deleted", timeOff)
        return envelope { json in
            json.beginObject()
            json.key("message"); json.string("The absence period was deleted.")
            json.endObject()
        }
    }

    /// `GET /v1/company/absence-periods`: hour-unit absences; `offset` counts items, `limit` defaults to 200.
    func absencePeriodsPage(credential: SandboxCredential, query: [(String, String)]) throws(PersonioFailure) -> [UInt8] {
        let limit = try pageLimit(query, default: Self.timeOffPageSize, maximum: Self.timeOffPageSize)
        let offset = try integer(query, "offset", default: 0, minimum: 0)
        let start = try optionalDate(query, "start_date")
        let end = try optionalDate(query, "end_date")
        let employeeIds = try employeeFilter(query)
        let selected = company.timeOffs.filter { timeOff in
            guard company.timeOffType(id: timeOff.timeOffTypeId)?.unit == .hour else { return false }
            if !employeeIds.isEmpty, !employeeIds.contains(timeOff.employeeId) { return false }
            return timeOff.overlaps(start ?? LocalDate(daysSinceEpoch: -1_000_000), end ?? LocalDate(daysSinceEpoch: 1_000_000))
        }
        let total = selected.count
        return JSONWriter.list(total: total, currentPage: offset / limit + 1, offset: offset, limit: limit) { json in
            for timeOff in selected.dropFirst(offset).prefix(limit) { writeAbsencePeriod(timeOff, credential: credential, into: &json) }
        }
    }

    /// Validates and stores a time-off (day unit) or an absence period (hour unit).
    func addAbsence(_ fields: [String: PlainValue], unit: TimeOffType.Unit) throws(PersonioFailure) -> TimeOff {
        func invalid(_ field: String, _ message: String) -> PersonioFailure {
            PersonioFailure(status: 422, code: 422, message: "The given data failed to pass validation.",
                            errorData: [field: [message]])
        }
        guard let employeeId = fields["employee_id"]?.integer else {
            throw invalid("employee_id", "The employee_id field is required and must be an integer.")
        }
        guard let typeId = fields["time_off_type_id"]?.integer else {
            throw invalid("time_off_type_id", "The time_off_type_id field is required and must be an integer.")
        }
        guard company.employee(id: employeeId) != nil else {
            throw .notFound("Employee with ID \(employeeId) not found")
        }
        guard let type = company.timeOffType(id: typeId) else {
            throw .notFound("Time-off type with ID \(typeId) not found")
        }
        guard type.unit == unit else {
            throw invalid("time_off_type_id", unit == .day
                ? "The time-off type \(type.name) is measured in hours; use /company/absence-periods."
                : "The time-off type \(type.name) is measured in days; use /company/time-offs.")
        }
        guard let startText = fields["start_date"]?.text, let start = LocalDate(startText), startText.utf8.count == 10 else {
            throw invalid("start_date", "The start_date is required and must be a date as YYYY-MM-DD.")
        }
        guard let endText = fields["end_date"]?.text, let end = LocalDate(endText), endText.utf8.count == 10 else {
            throw invalid("end_date", "The end_date is required and must be a date as YYYY-MM-DD.")
        }
        guard end >= start else { throw invalid("end_date", "The end_date must be a date after or equal to start_date.") }
        var flags: [String: Bool] = [:]
        for name in ["half_day_start", "half_day_end", "skip_approval"] {
            guard let value = fields[name] else { continue }
            guard let flag = value.flag else { throw invalid(name, "The \(name) must be true, false, 1 or 0.") }
            flags[name] = flag
        }
        if company.timeOffs.contains(where: { $0.employeeId == employeeId && $0.overlaps(start, end) }) {
            throw invalid("start_date", "The employee already has an absence overlapping \(start) – \(end).")
        }
        var times: [String: String] = [:]
        if unit == .hour {
            for name in ["start_time", "end_time"] {
                guard let text = fields[name]?.text, !text.isEmpty else { continue }
                let parts = text.split(separator: ":")
                guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60)
                    .contains(minute) else {
                    throw invalid(name, "The \(name) must be a time as HH:mm.")
                }
                times[name] = text
            }
            if start == end, times["start_time"] == nil || times["end_time"] == nil {
                throw invalid("start_time", "The start_time and end_time are required for an absence within one day.")
            }
            if let from = times["start_time"], let to = times["end_time"], start == end, to <= from {
                throw invalid("end_time", "The end_time must be after the start_time.")
            }
        }
        let comment = fields["comment"]?.text ?? ""
        let pending = type.approvalRequired && flags["skip_approval"] == false
        let current = now
        let timeOff = company.addTimeOff { id in
            TimeOff(id: id, employeeId: employeeId, timeOffTypeId: typeId, startDate: start, endDate: end,
                    halfDayStart: flags["half_day_start"] ?? false, halfDayEnd: flags["half_day_end"] ?? false,
                    comment: comment, status: pending ? "pending" : "approved", createdAt: current,
                    updatedAt: current, createdBy: "API", startTime: times["start_time"], endTime: times["end_time"])
        }
        persistQuietly()
        emitAbsence("absence-period.created", timeOff)
        return timeOff
    }

    private func writeAbsencePeriod(_ timeOff: TimeOff, credential: SandboxCredential, into json: inout JSONWriter) {
        let zone = configuration.timeZone
        json.typedObject("AbsencePeriod") { json in
            json.key("id"); json.string(timeOff.periodID)
            json.key("measurement_unit"); json.string("hour")
            json.key("employee")
            EmployeeRenderer(company: company, credential: credential, projection: nil, timeZone: zone, apiBaseURL: "", offsets: offsets)
                .writeShort(timeOff.employeeId, into: &json)
            json.key("absence_type")
            json.beginObject()
            json.key("type"); json.string("AbsenceType")
            json.key("attributes")
            json.beginObject()
            json.key("id"); json.string(TimeOff.periodID(timeOff.timeOffTypeId))
            json.key("name"); json.string(company.timeOffType(id: timeOff.timeOffTypeId)?.name ?? "")
            json.key("time_off_type_id"); json.int(timeOff.timeOffTypeId)
        }
        json.key("start"); json.string("\(timeOff.startDate)T\(timeOff.startTime ?? "00:00"):00.0Z")
        json.key("end"); json.string("\(timeOff.endDate)T\(timeOff.endTime ?? "23:59"):00.0Z")
        json.key("half_day_start"); json.bool(timeOff.halfDayStart)
        json.key("half_day_end"); json.bool(timeOff.halfDayEnd)
        json.key("comment"); json.string(timeOff.comment)
        json.key("status"); json.string(timeOff.status)
        json.key("created_at"); json.string(PersonioTimestamp.format(timeOff.createdAt, in: zone))
        json.key("updated_at"); json.string(PersonioTimestamp.format(timeOff.updatedAt, in: zone))
        json.endObject()
        json.endObject()
    }

    /// `DELETE /v1/company/time-offs/{id}`.
    func deleteTimeOff(id: String) throws(PersonioFailure) -> [UInt8] {
        try removeAbsence(Int(id), unit: .day, notFound: "Time-off period with ID \(id) not found")
    }

    private func writeTimeOff(_ timeOff: TimeOff, credential: SandboxCredential, into json: inout JSONWriter) {
        let zone = configuration.timeZone
        json.typedObject("TimeOffPeriod") { json in
            json.key("id"); json.int(timeOff.id)
            json.key("id_v2"); json.string(timeOff.periodID)
            json.key("status"); json.string(timeOff.status)
            json.key("comment"); json.string(timeOff.comment)
            json.key("start_date"); json.string(PersonioTimestamp.format(timeOff.startDate, in: zone))
            json.key("end_date"); json.string(PersonioTimestamp.format(timeOff.endDate, in: zone))
            json.key("days_count"); json.number(timeOff.daysCount)
            json.key("half_day_start"); json.bool(timeOff.halfDayStart)
            json.key("half_day_end"); json.bool(timeOff.halfDayEnd)
            json.key("time_off_type")
            json.beginObject()
            json.key("type"); json.string("TimeOffType")
            json.key("attributes")
            json.beginObject()
            let type = company.timeOffType(id: timeOff.timeOffTypeId)
            json.key("id"); json.int(timeOff.timeOffTypeId)
            json.key("name"); json.string(type?.name ?? "")
            json.key("category"); json.string(type?.category ?? "")
        }
        json.key("employee")
        EmployeeRenderer(company: company, credential: credential, projection: nil, timeZone: zone, apiBaseURL: "", offsets: offsets)
            .writeShort(timeOff.employeeId, into: &json)
        json.key("created_by"); json.string(timeOff.createdBy)
        json.key("certificate")
        json.beginObject()
        json.key("status"); json.string("not-required")
        json.endObject()
        json.key("created_at"); json.string(PersonioTimestamp.format(timeOff.createdAt, in: zone))
        json.key("updated_at"); json.string(PersonioTimestamp.format(timeOff.updatedAt, in: zone))
        json.endObject()
        json.endObject()
    }

    func envelope(_ data: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data"); data(&json)
        json.endObject()
        return json.bytes
    }

    /// `employees[]`: the employees to list (empty: everyone).
    private func employeeFilter(_ query: [(String, String)]) throws(PersonioFailure) -> Set<Int> {
        var ids = Set<Int>()
        for text in values(query, "employees[]") + values(query, "employees") {
            guard let id = Int(text) else { throw .badRequest("employees", "employees[] must be employee ids (integers).") }
            ids.insert(id)
        }
        return ids
    }

    private func optionalDate(_ query: [(String, String)], _ name: String) throws(PersonioFailure) -> LocalDate? {
        guard let text = values(query, name).last else { return nil }
        guard let date = LocalDate(text) else { throw .badRequest(name, "The \(name) must be a date as YYYY-MM-DD.") }
        return date
    }

    private func optionalInstant(_ query: [(String, String)], _ name: String) throws(PersonioFailure) -> Date? {
        guard let text = values(query, name).last else { return nil }
        guard let date = PersonioTimestamp.parse(text, defaultTimeZone: configuration.timeZone) else {
            throw .badRequest(name, "The \(name) must be a date (YYYY-MM-DD) or an ISO 8601 date-time.")
        }
        return date
    }
}
