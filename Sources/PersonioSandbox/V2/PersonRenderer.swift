import Foundation
import PersonioAPI
import SyncEngine

/// Writes people in Personio's v2 shape: a person (names, e-mail, gender, status, custom
/// attributes, employment ids) and their employment (position, dates, supervisor, org units, legal
/// entity, cost centres, termination). Attributes the credential may not read are left out, as in
/// v1; the whitelist is v1's, attribute by attribute (`hire_date` decides `employment_start_date`).
struct PersonRenderer: Sendable {
    let company: Company
    let credential: SandboxCredential
    /// `http://host` (v2 writes absolute links to itself, like Personio's examples).
    let origin: String

    /// The v1 attributes a person's `updated_at` follows; the others belong to the employment.
    static let personKeys: Set<String> = ["first_name", "last_name", "preferred_name", "email", "gender"]
    static let employmentKeys: Set<String> = [
        "status", "position", "weekly_working_hours", "hire_date", "termination_date", "termination_type", "termination_reason",
        "last_working_day", "contract_end_date", "probation_period_end", "employment_type", "supervisor", "office",
        "department", "team", "subcompany", "cost_centers",
    ]

    private func may(_ key: String) -> Bool { credential.mayRead(key) }

    // MARK: Person

    func writePerson(_ e: SandboxEmployee, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(String(e.id))
        if may("email") { json.key("email"); json.string(e.email) }
        if may("created_at") { json.key("created_at"); json.utcTimestamp(e.createdAt) }
        if may("last_modified_at") { json.key("updated_at"); json.utcTimestamp(Self.personUpdatedAt(e)) }
        if may("first_name") { json.key("first_name"); json.string(e.firstName) }
        if may("last_name") { json.key("last_name"); json.string(e.lastName) }
        if may("preferred_name"), let preferred = e.preferredName, !preferred.isEmpty {
            json.key("preferred_name"); json.string(preferred)
        }
        if may("gender") { json.key("gender"); json.string(Self.gender(e.gender)) }
        if may("profile_picture"), e.hasProfilePicture {
            json.key("profile_picture")
            json.beginObject()
            json.key("url"); json.string("\(origin)/v1/company/employees/\(e.id)/profile-picture")
            json.endObject()
        }
        if may("status") { json.key("status"); json.string(e.status == "inactive" ? "INACTIVE" : "ACTIVE") }
        json.key("custom_attributes")
        json.beginArray()
        for attribute in company.customAttributes where may(attribute.key) {
            writeCustom(attribute, e.custom[attribute.key], into: &json)
        }
        json.endArray()
        json.key("employments")
        json.beginArray()
        json.beginObject()
        json.key("id"); json.string(Self.employmentID(of: e.id))
        json.endObject()
        json.endArray()
        json.key("_meta")
        json.beginObject()
        json.key("links")
        json.beginObject()
        json.key("employments"); json.link("\(origin)/v2/persons/\(e.id)/employments")
        json.endObject()
        json.endObject()
        json.endObject()
    }

    private func writeCustom(_ attribute: CustomAttribute, _ value: CustomValue?, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(attribute.key)
        json.key("type"); json.string(Self.v2Type(attribute.type))
        if let universal = attribute.universalId { json.key("global_id"); json.string(universal) }
        json.key("label"); json.string(attribute.label)
        json.key("value")
        switch value {
        case nil: attribute.type == .tags ? { json.beginArray(); json.endArray() }() : json.string("")
        case .text(let text)?:
            if attribute.type == .tags {
                json.beginArray()
                for tag in text.split(separator: ",") { json.string(tag.trimmingCharacters(in: .whitespaces)) }
                json.endArray()
            } else {
                json.string(text)
            }
        case .number(let number)?:
            json.string(number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number))
        case .date(let date)?: json.date(date)
        }
        json.endObject()
    }

    // MARK: Employment

    func writeEmployment(_ e: SandboxEmployee, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(Self.employmentID(of: e.id))
        json.key("person"); json.idObject(String(e.id))
        if may("status") { json.key("status"); json.string(e.status.uppercased()) }
        if may("position"), let position = e.position, !position.isEmpty {
            json.key("position")
            json.beginObject()
            json.key("title"); json.string(position)
            json.endObject()
        }
        if may("weekly_working_hours"), let hours = e.weeklyWorkingHours.flatMap(Double.init) {
            json.key("weekly_working_hours"); json.number(hours)
            json.key("full_time_weekly_working_hours"); json.number(40)
        }
        writeDates(e, into: &json)
        if may("employment_type"), let type = e.employmentType, !type.isEmpty {
            json.key("type"); json.string(type.uppercased() == "EXTERNAL" ? "EXTERNAL" : "INTERNAL")
        }
        if may("created_at") { json.key("created_at"); json.utcTimestamp(e.createdAt) }
        if may("last_modified_at") { json.key("updated_at"); json.utcTimestamp(Self.employmentUpdatedAt(e)) }
        if may("supervisor"), let supervisor = e.supervisorId { json.key("supervisor"); json.idObject(String(supervisor)) }
        if may("office"), let office = e.officeId { json.key("office"); json.idObject(String(office)) }
        writeOrgUnits(e, into: &json)
        if may("subcompany"), let legal = e.subcompanyId { json.key("legal_entity"); json.idObject(String(legal)) }
        if may("cost_centers") {
            json.key("cost_centers")
            json.beginArray()
            for share in e.costCenters {
                json.beginObject()
                json.key("id"); json.string(String(share.costCenterId))
                json.key("weight"); json.number(share.percentage)
                json.endObject()
            }
            json.endArray()
        }
        writeTermination(e, into: &json)
        json.key("_meta")
        json.beginObject()
        json.key("links")
        json.beginObject()
        json.key("person"); json.link("\(origin)/v2/persons/\(e.id)")
        if may("supervisor"), let supervisor = e.supervisorId { json.key("supervisor"); json.link("\(origin)/v2/persons/\(supervisor)") }
        json.endObject()
        json.endObject()
        json.endObject()
    }

    private func writeDates(_ e: SandboxEmployee, into json: inout JSONWriter) {
        if may("probation_period_end"), let date = e.probationPeriodEnd { json.key("probation_end_date"); json.date(date) }
        if may("hire_date"), let date = e.hireDate { json.key("employment_start_date"); json.date(date) }
        if may("termination_date"), let date = e.terminationDate { json.key("employment_end_date"); json.date(date) }
        if may("contract_end_date"), let date = e.contractEndDate { json.key("contract_end_date"); json.date(date) }
    }

    private func writeOrgUnits(_ e: SandboxEmployee, into json: inout JSONWriter) {
        let units = [("department", e.departmentId), ("team", e.teamId)].filter { may($0.0) && $0.1 != nil }
        guard may("department") || may("team") else { return }
        json.key("org_units")
        json.beginArray()
        for (type, id) in units {
            json.beginObject()
            json.key("type"); json.string(type)
            json.key("id"); json.string(String(id ?? 0))
            json.endObject()
        }
        json.endArray()
    }

    private func writeTermination(_ e: SandboxEmployee, into json: inout JSONWriter) {
        guard may("termination_date"), let date = e.terminationDate else { return }
        json.key("termination")
        json.beginObject()
        json.key("termination_date"); json.date(date)
        if may("last_working_day"), let last = e.lastWorkingDay { json.key("last_working_day"); json.date(last) }
        if may("termination_type") { json.key("type"); json.string(Self.terminationType(e.terminationType)) }
        if may("termination_reason"), let reason = e.terminationReason, !reason.isEmpty { json.key("reason"); json.string(reason) }
        json.endObject()
    }

    // MARK: Mappings

    /// The employment's UUID, derived from the person id so it is stable across restarts.
    static func employmentID(of personID: Int) -> String {
        var state = UInt64(bitPattern: Int64(personID)) &+ 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let high = next(), low = next()
        let hex = String(format: "%016llx%016llx", high, low).map { $0 }
        var chars = hex
        chars[12] = "4"  // version 4 layout
        chars[16] = ["8", "9", "a", "b"][Int(low % 4)]
        let text = String(chars)
        func part(_ from: Int, _ to: Int) -> Substring { text.dropFirst(from).prefix(to - from) }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }

    static func gender(_ v1: String?) -> String {
        switch v1?.lowercased() {
        case "male": "MALE"
        case "female": "FEMALE"
        case "diverse": "DIVERSE"
        default: "UNSPECIFIED"
        }
    }

    static func v2Type(_ type: PersonioAttributeType) -> String {
        switch type {
        case .date: "DATE"
        case .integer: "INT"
        case .decimal: "DOUBLE"
        case .tags: "STRING_LIST"
        case .standard, .list, .link, .multiline: "STRING"
        }
    }

    static func terminationType(_ v1: String?) -> String {
        switch v1?.lowercased() {
        case "resignation"?: "EMPLOYEE"
        case "termination by employer"?: "FIRED"
        case "mutual agreement"?: "AGREEMENT"
        case "contract expired"?: "CONTRACT_EXPIRED"
        case "retirement"?: "RETIREMENT"
        default: "UNSPECIFIED"
        }
    }

    /// When the person's own attributes last changed (an employment change leaves it alone).
    static func personUpdatedAt(_ e: SandboxEmployee) -> Date {
        updatedAt(e) { personKeys.contains($0) || $0.hasPrefix("dynamic_") }
    }

    static func employmentUpdatedAt(_ e: SandboxEmployee) -> Date {
        updatedAt(e) { employmentKeys.contains($0) }
    }

    private static func updatedAt(_ e: SandboxEmployee, _ belongs: (String) -> Bool) -> Date {
        // A generated person has no change history: its last change time stands for both parts.
        guard !e.modifiedAt.isEmpty else { return e.lastModifiedAt }
        return e.modifiedAt.filter { belongs($0.key) }.map(\.value).max() ?? e.modifiedAt[SandboxEmployee.baselineKey] ?? e.createdAt
    }
}

extension JSONWriter {
    /// `{"id":"…"}`
    mutating func idObject(_ id: String) {
        beginObject()
        key("id"); string(id)
        endObject()
    }
}
