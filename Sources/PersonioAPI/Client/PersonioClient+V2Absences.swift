import Foundation
import SyncEngine

/// An absence period as v2 shows it (day and hour absences alike), ids as v2 gives them.
public struct V2AbsencePeriod: Sendable, Equatable {
    public var id: String
    public var personID: String?
    public var absenceTypeID: String?
    public var start: LocalDate?
    public var end: LocalDate?
    /// `APPROVED`, `PENDING`, …
    public var approvalStatus: String?
}

/// An absence type as v2 shows it.
public struct V2AbsenceType: Sendable, Equatable {
    public var id: String
    public var name: String
    /// `DAY` or `HOUR`.
    public var unit: String?
}

extension PersonioClient {
    /// Every page of a v2 list endpoint, following `next` links on Personio's root; a repeating cursor ends it with `.incompleteListing`.
    func v2List(_ path: String, query: [(String, String)]) async throws(PersonioError) -> [JSONValue] {
        var items: [JSONValue] = []
        var href: String?
        var followed: Set<String> = []
        repeat {
            let body: [UInt8]
            if let href { body = try await send("GET", href, api: .v2) } else { body = try await send("GET", path, query: query, api: .v2) }
            guard let document = try? JSONValue.parse(Data(body)), let page = document["_data"]?.array else {
                throw .malformedResponse(reason: "\(path) has no _data array")
            }
            items += page
            href = page.isEmpty ? nil : try resolveNext(document["_meta"]?["links"]?["next"]?["href"]?.string)
            if let link = href, !followed.insert(link).inserted { throw .incompleteListing(reason: "Personio repeated the cursor of \(path)") }
        } while href != nil
        return items
    }

    /// `GET /v2/absence-types`.
    public func v2AbsenceTypes() async throws(PersonioError) -> [V2AbsenceType] {
        try await v2List("/v2/absence-types", query: [("limit", "100")]).compactMap { item in
            guard let id = item["id"]?.string, let name = item["name"]?.string else { return nil }
            return V2AbsenceType(id: id, name: name, unit: item["unit"]?.string)
        }
    }

    /// `GET /v2/absence-periods` for some persons (none: everyone), starting on or after `from`.
    public func v2AbsencePeriods(personIDs: [Int] = [], from: LocalDate? = nil) async throws(PersonioError) -> [V2AbsencePeriod] {
        var query = [("limit", "100")]
        if !personIDs.isEmpty { query.append(("person.id", personIDs.map(String.init).joined(separator: ","))) }
        if let from { query.append(("starts_from.gte", from.description)) }
        return try await v2List("/v2/absence-periods", query: query).compactMap(Self.v2AbsencePeriod)
    }

    /// `POST /v2/absence-periods`: a whole-day absence (half days as Personio's FIRST/SECOND_HALF); returns its id.
    /// Not repeated after a timeout or a 5xx: Personio may have stored it.
    public func v2CreateAbsencePeriod(personID: Int, absenceTypeID: String, start: LocalDate, end: LocalDate, halfDayStart: Bool = false,
                                      halfDayEnd: Bool = false, comment: String? = nil) async throws(PersonioError) -> String {
        var startsFrom: [String: Any] = ["date_time": "\(start)T00:00:00"]
        if halfDayStart { startsFrom["type"] = "SECOND_HALF" }
        var endsAt: [String: Any] = ["date_time": "\(end)T00:00:00"]
        if halfDayEnd { endsAt["type"] = "FIRST_HALF" }
        var fields: [String: Any] = ["person": ["id": String(personID)], "absence_type": ["id": absenceTypeID],
                                     "starts_from": startsFrom, "ends_at": endsAt]
        if let comment { fields["comment"] = comment }
        let body = try await send("POST", "/v2/absence-periods", body: try json(fields), contentType: "application/json",
                                  idempotent: false, api: .v2)
        guard let id = (try? JSONValue.parse(Data(body)))?["id"]?.string else {
            throw .malformedResponse(reason: "the absence-period answer has no id")
        }
        return id
    }

    public func v2DeleteAbsencePeriod(id: String) async throws(PersonioError) {
        _ = try await send("DELETE", "/v2/absence-periods/\(Self.pathSegment(id))", api: .v2)
    }

    static func v2AbsencePeriod(_ item: JSONValue) -> V2AbsencePeriod? {
        guard let id = item["id"]?.string else { return nil }
        func day(_ value: JSONValue?) -> LocalDate? { value?["date_time"]?.string.flatMap { LocalDate(String($0.prefix(10))) } }
        return V2AbsencePeriod(id: id, personID: item["person"]?["id"].flatMap(EmployeeDecoder.text),
                               absenceTypeID: item["absence_type"]?["id"]?.string, start: day(item["starts_from"]),
                               end: day(item["ends_at"]), approvalStatus: item["approval"]?["status"]?.string)
    }
}
