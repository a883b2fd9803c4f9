import Foundation
import PersonioAPI
import SyncEngine

/// v2 absences: `GET /v2/absence-types`, `GET/POST /v2/absence-periods`, `DELETE /v2/absence-periods/{id}`.
/// No public spec exists; the shape follows PERSONIO-WIRE.md. Day and hour absences are one list
/// here (v1 splits them into time-offs and absence periods); v1 time-offs carry the v2 id as `id_v2`.
extension SandboxStore {
    static let absenceFilters: Set<String> = ["person.id", "absence_type.id", "updated_at.gt", "updated_at.lt",
                                              "starts_from.gte", "ends_at.lte"]

    func absenceTypesPage(query: [(String, String)], origin: String) throws(V2Failure) -> [UInt8] {
        let (paging, filters) = try Self.split(query, filters: [], maximum: 100)
        let after = paging.after.flatMap { Int($0) } ?? Int.min
        return keysetPage(company.timeOffTypes, paging: paging, links: V2Links(origin: origin, path: "/v2/absence-types", filters: filters),
                          including: { $0.id > after }, cursor: { String($0.id) })
            .render { type, json in
                json.beginObject()
                json.key("id"); json.string(TimeOff.periodID(type.id))
                json.key("name"); json.string(type.name)
                json.key("category"); json.string(type.category.uppercased())
                json.key("unit"); json.string(type.unit == .day ? "DAY" : "HOUR")
                json.key("approval_required"); json.bool(type.approvalRequired)
                json.endObject()
            }
    }

    func absencePeriodsV2Page(credential: SandboxCredential, query: [(String, String)], origin: String) throws(V2Failure) -> [UInt8] {
        let (paging, filters) = try Self.split(query, filters: Self.absenceFilters, maximum: 100)
        let matches = try absenceFilter(filters)
        let after = paging.after.map { TimeOff.id(periodID: $0) ?? Int.max } ?? Int.min
        return keysetPage(company.timeOffs, paging: paging, links: V2Links(origin: origin, path: "/v2/absence-periods", filters: filters),
                          including: { $0.id > after && matches($0) }, cursor: \.periodID)
            .render { timeOff, json in writeAbsencePeriodV2(timeOff, origin: origin, into: &json) }
    }

    func absencePeriodV2Document(id: String, origin: String) throws(V2Failure) -> [UInt8] {
        guard let number = TimeOff.id(periodID: id), let timeOff = company.timeOff(id: number) else { throw .notFound() }
        var json = JSONWriter()
        writeAbsencePeriodV2(timeOff, origin: origin, into: &json)
        return json.bytes
    }

    /// `POST /v2/absence-periods`: `{person:{id}, absence_type:{id}, starts_from:{date_time,type?}, ends_at:{…}, comment?, skip_approval?}`.
    func createAbsencePeriodV2(body: [String: PlainValue]) throws(V2Failure) -> String {
        let known: Set<String> = ["person", "absence_type", "starts_from", "ends_at", "comment", "skip_approval"]
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidField(unknown, "\(unknown) is not a field of an absence period.")
        }
        guard let personID = body["person"]?["id"]?.text else { throw .invalidField("person.id", "person.id is required.") }
        guard let typeID = body["absence_type"]?["id"]?.string.flatMap(TimeOff.id(periodID:)), let type = company.timeOffType(id: typeID) else {
            throw .invalidField("absence_type.id", "absence_type.id must be the id of an absence type (GET /v2/absence-types).")
        }
        var fields: [String: PlainValue] = ["employee_id": .string(personID), "time_off_type_id": .number(Double(typeID))]
        for (name, prefix) in [("starts_from", "start"), ("ends_at", "end")] {
            guard let text = body[name]?["date_time"]?.string, text.count >= 10, LocalDate(text.prefix(10)) != nil else {
                throw .invalidField("\(name).date_time", "\(name).date_time must be a date-time such as 2027-02-01T00:00:00.")
            }
            fields["\(prefix)_date"] = .string(String(text.prefix(10)))
            if type.unit == .hour, text.count >= 16 { fields["\(prefix)_time"] = .string(String(text.dropFirst(11).prefix(5))) }
            if let half = body[name]?["type"]?.string {
                guard ["FIRST_HALF", "SECOND_HALF"].contains(half) else {
                    throw .invalidField("\(name).type", "\(name).type must be FIRST_HALF or SECOND_HALF.")
                }
                fields["half_day_\(prefix)"] = .bool(true)
            }
        }
        if let comment = body["comment"] { fields["comment"] = comment }
        if let skip = body["skip_approval"] { fields["skip_approval"] = skip }
        do {
            return try addAbsence(fields, unit: type.unit).periodID
        } catch {
            if error.status == 404 { throw .invalidField("person.id", "There is no person with id \(personID).") }
            let field = error.errorData?.keys.first ?? "body"
            let v2Field = ["start_date": "starts_from.date_time", "end_date": "ends_at.date_time", "start_time": "starts_from.date_time",
                           "end_time": "ends_at.date_time", "employee_id": "person.id"][field] ?? field
            throw .invalidField(v2Field, error.errorData?[field]?.first ?? error.message)
        }
    }

    func deleteAbsencePeriodV2(id: String) throws(V2Failure) {
        guard let number = TimeOff.id(periodID: id), let timeOff = company.timeOff(id: number), company.removeTimeOff(id: number) else {
            throw .notFound()
        }
        persistQuietly()
        emitAbsence("absence-period.deleted", timeOff)
    }

    private func writeAbsencePeriodV2(_ timeOff: TimeOff, origin: String, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(timeOff.periodID)
        json.key("person"); json.idObject(String(timeOff.employeeId))
        json.key("absence_type"); json.idObject(TimeOff.periodID(timeOff.timeOffTypeId))
        for (name, date, time, half, halfType) in [
            ("starts_from", timeOff.startDate, timeOff.startTime ?? "00:00", timeOff.halfDayStart, "SECOND_HALF"),
            ("ends_at", timeOff.endDate, timeOff.endTime ?? "23:59", timeOff.halfDayEnd, "FIRST_HALF"),
        ] {
            json.key(name)
            json.beginObject()
            json.key("date_time"); json.string("\(date)T\(time):00")
            if half { json.key("type"); json.string(halfType) }
            json.endObject()
        }
        json.key("timezone"); json.string(configuration.timeZone.identifier)
        json.key("approval")
        json.beginObject()
        json.key("status"); json.string(timeOff.status.uppercased())
        json.endObject()
        json.key("comment"); json.string(timeOff.comment)
        json.key("created_at"); json.utcTimestamp(timeOff.createdAt)
        json.key("updated_at"); json.utcTimestamp(timeOff.updatedAt)
        json.key("_meta")
        json.beginObject()
        json.key("links")
        json.beginObject()
        json.key("self"); json.link("\(origin)/v2/absence-periods/\(timeOff.periodID)")
        json.key("person"); json.link("\(origin)/v2/persons/\(timeOff.employeeId)")
        json.endObject()
        json.endObject()
        json.endObject()
    }

    private func absenceFilter(_ filters: [(String, String)]) throws(V2Failure) -> (TimeOff) -> Bool {
        var tests: [(TimeOff) -> Bool] = []
        for (name, value) in filters {
            let values = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            switch name {
            case "person.id": tests.append { values.contains(String($0.employeeId)) }
            case "absence_type.id": tests.append { values.contains(TimeOff.periodID($0.timeOffTypeId)) }
            case "starts_from.gte", "ends_at.lte":
                guard let date = LocalDate(value.prefix(10)) else { throw .invalidParameter(name, "\(name) must be a date such as 2027-02-01") }
                tests.append(name == "starts_from.gte" ? { $0.startDate >= date } : { $0.endDate <= date })
            default:
                let test = PersonFilter.compare(name, try PersonFilter.instant(name, value, timeZone: configuration.timeZone))
                tests.append { test($0.updatedAt) }
            }
        }
        return { timeOff in tests.allSatisfy { $0(timeOff) } }
    }

    /// The `next` link, or the request's own cursor again while the repeating-cursor switch is on.
    func nextLink(_ links: V2Links, cursor: String, repeating current: String?, limit: Int) -> String {
        var cursor = cursor
        if faults.v2RepeatCursorNext > 0, let current {
            faults.v2RepeatCursorNext -= 1
            cursor = current
        }
        var relative = links
        if faults.v2NextLink == .relative { relative.origin = "" }
        return relative.href(cursor: cursor, limit: limit)
    }
}
