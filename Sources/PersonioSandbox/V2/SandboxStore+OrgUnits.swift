import Foundation

/// Read-only `GET /v2/org-units[/{id}]` (departments and teams) and `GET /v2/legal-entities[/{id}]`
/// (v1's subcompanies): what a v2 client needs to name the ids an employment carries.
extension SandboxStore {
    private struct NamedUnit: Sendable {
        var id: Int
        var type: String
        var name: String
    }

    private func orgUnits() -> [NamedUnit] {
        (company.departments.map { NamedUnit(id: $0.id, type: "department", name: $0.name) }
            + company.teams.map { NamedUnit(id: $0.id, type: "team", name: $0.name) }).sorted { $0.id < $1.id }
    }

    func orgUnitsPage(query: [(String, String)], origin: String) throws(V2Failure) -> [UInt8] {
        let (paging, filters) = try Self.split(query, filters: ["type", "id"], maximum: 100)
        var units = orgUnits()
        for (name, value) in filters {
            let values = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            if name == "type" {
                guard values.isSubset(of: ["department", "team"]) else { throw .invalidParameter("type", "type must be department or team") }
                units = units.filter { values.contains($0.type) }
            } else {
                units = units.filter { values.contains(String($0.id)) }
            }
        }
        return try unitsPage(units, paging: paging, filters: filters, path: "/v2/org-units", origin: origin)
    }

    func legalEntitiesPage(query: [(String, String)], origin: String) throws(V2Failure) -> [UInt8] {
        let (paging, filters) = try Self.split(query, filters: ["id"], maximum: 100)
        var entities = company.subcompanies.map { NamedUnit(id: $0.id, type: "legal_entity", name: $0.name) }
        if let ids = filters.first(where: { $0.0 == "id" })?.1 {
            let values = Set(ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            entities = entities.filter { values.contains(String($0.id)) }
        }
        return try unitsPage(entities, paging: paging, filters: filters, path: "/v2/legal-entities", origin: origin)
    }

    func orgUnitDocument(id: String, legalEntity: Bool) throws(V2Failure) -> [UInt8] {
        let all = legalEntity ? company.subcompanies.map { NamedUnit(id: $0.id, type: "legal_entity", name: $0.name) } : orgUnits()
        guard let unit = all.first(where: { String($0.id) == id }) else { throw .notFound() }
        var json = JSONWriter()
        Self.write(unit, into: &json)
        return json.bytes
    }

    private func unitsPage(_ units: [NamedUnit], paging: V2Paging, filters: [(String, String)], path: String,
                           origin: String) throws(V2Failure) -> [UInt8] {
        let after = paging.after.flatMap { Int($0) } ?? Int.min
        return keysetPage(units, paging: paging, links: V2Links(origin: origin, path: path, filters: filters),
                          including: { $0.id > after }, cursor: { String($0.id) })
            .render { unit, json in Self.write(unit, into: &json) }
    }

    private static func write(_ unit: NamedUnit, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(String(unit.id))
        if unit.type != "legal_entity" { json.key("type"); json.string(unit.type) }
        json.key("name"); json.string(unit.name)
        json.endObject()
    }
}
