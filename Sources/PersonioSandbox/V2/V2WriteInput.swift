import Foundation
import PersonioAPI

/// Turns v2 write bodies into the sandbox's attribute fields (v1's keys), so that v1 and v2 writes
/// change the same employee the same way. Every field of the body must be one v2 knows: a field
/// the sandbox does not know is a 422 naming it, not silently dropped.
enum V2WriteInput {
    static let personFields: Set<String> = ["email", "first_name", "last_name", "preferred_name", "gender", "language_code",
                                            "custom_attributes"]
    static let employmentFields: Set<String> = [
        "position", "status", "employment_start_date", "contract_end_date", "probation_end_date", "weekly_working_hours",
        "type", "supervisor", "office", "org_units", "legal_entity",
    ]

    /// `POST /v2/persons`: the person's fields and their one employment's.
    static func newPerson(_ body: [String: PlainValue]) throws(V2Failure) -> [String: PlainValue] {
        for required in ["email", "first_name", "last_name"] where body[required]?.text?.isEmpty ?? true {
            throw .invalidField(required, "\(required) is required.")
        }
        var fields = try person(body.filter { $0.key != "employments" })
        if let employments = body["employments"] {
            guard case .array(let items) = employments, items.count <= 1 else {
                throw .invalidField("employments", "employments must be a list with one employment.")
            }
            if let first = items.first {
                guard case .object(let employment) = first else { throw .invalidField("employments[0]", "an employment must be an object.") }
                fields.merge(try self.employment(employment, path: "employments[0]."), uniquingKeysWith: { _, new in new })
            }
        }
        return fields
    }

    /// A person's own fields (`PATCH /v2/persons/{id}` and the person part of a create).
    static func person(_ body: [String: PlainValue]) throws(V2Failure) -> [String: PlainValue] {
        var fields: [String: PlainValue] = [:]
        for (key, value) in body.sorted(by: { $0.key < $1.key }) {
            guard personFields.contains(key) else { throw .invalidField(key, "\(key) is not a field of a person.") }
            switch key {
            case "gender":
                guard let text = value.text, ["MALE", "FEMALE", "DIVERSE", "UNSPECIFIED"].contains(text) else {
                    throw .invalidField(key, "gender must be MALE, FEMALE, DIVERSE or UNSPECIFIED.")
                }
                fields["gender"] = text == "UNSPECIFIED" ? .null : .string(text.lowercased())
            case "language_code":
                guard let text = value.text, text.count == 2, text.allSatisfy(\.isLetter) else {
                    throw .invalidField(key, "language_code must be a two-letter language code such as de.")
                }
            case "custom_attributes":
                guard case .array(let items) = value else { throw .invalidField(key, "custom_attributes must be a list of {id, value}.") }
                for (index, item) in items.enumerated() {
                    guard let id = item["id"]?.string, id.hasPrefix("dynamic_"), let attributeValue = item["value"] else {
                        throw .invalidField("custom_attributes[\(index)]", "each custom attribute needs an id (dynamic_…) and a value.")
                    }
                    if case .array(let values) = attributeValue {
                        fields[id] = .string(values.compactMap(\.text).joined(separator: ","))
                    } else {
                        fields[id] = attributeValue
                    }
                }
            default:
                fields[key] = value
            }
        }
        return fields
    }

    /// `PATCH /v2/persons/{id}/employments/{id}` and the employment of a create.
    static func employment(_ body: [String: PlainValue], path: String = "") throws(V2Failure) -> [String: PlainValue] {
        var fields: [String: PlainValue] = [:]
        func id(_ key: String, _ value: PlainValue) throws(V2Failure) -> PlainValue {
            if value.isNull { return .null }
            guard let id = value["id"]?.text else { throw .invalidField(path + key, "\(key) must be an object with an id.") }
            return .string(id)
        }
        for (key, value) in body.sorted(by: { $0.key < $1.key }) {
            guard employmentFields.contains(key) else { throw .invalidField(path + key, "\(key) is not a field of an employment.") }
            switch key {
            case "position": fields["position"] = value.isNull ? .null : (value["title"] ?? .null)
            case "status":
                guard let text = value.text, ["ACTIVE", "INACTIVE", "ONBOARDING", "LEAVE"].contains(text) else {
                    throw .invalidField(path + key, "status must be ACTIVE, INACTIVE, ONBOARDING or LEAVE.")
                }
                fields["status"] = .string(text.lowercased())
            case "employment_start_date": fields["hire_date"] = value
            case "probation_end_date": fields["probation_period_end"] = value
            case "type":
                guard let text = value.text, text == "INTERNAL" || text == "EXTERNAL" else {
                    throw .invalidField(path + key, "type must be INTERNAL or EXTERNAL.")
                }
                fields["employment_type"] = .string(text.lowercased())
            case "supervisor": fields["supervisor_id"] = try id(key, value)
            case "office": fields["office_id"] = try id(key, value)
            case "legal_entity": fields["subcompany_id"] = try id(key, value)
            case "org_units":
                guard case .array(let units) = value else { throw .invalidField(path + key, "org_units must be a list of {type, id}.") }
                for (index, unit) in units.enumerated() {
                    guard let type = unit["type"]?.string?.lowercased(), type == "department" || type == "team",
                          let unitID = unit["id"]?.text else {
                        throw .invalidField("\(path)org_units[\(index)]", "an org unit needs a type (department or team) and an id.")
                    }
                    fields[type + "_id"] = .string(unitID)
                }
            default: fields[key] = value
            }
        }
        return fields
    }
}
