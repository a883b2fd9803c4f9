import Foundation
import PersonioAPI
import SyncEngine

/// A connection's mapping as the API takes and shows it: a list of fields, each read from one
/// attribute (its key, e.g. `dynamic_1001`, or its Personio label, e.g. `Phone`), a fixed `value`, or
/// attributes `join`ed; each with transforms applied in order:
///
///     [{"field": "phone", "from": "Phone"},
///      {"field": "email", "from": "email", "transforms": ["trim", "lowercase"]},
///      {"field": "source", "value": "personio"},
///      {"field": "name", "join": ["first_name", "last_name"], "separator": " "},
///      {"field": "start", "from": "hire_date", "transforms": [{"date_format": "dd.MM.yyyy"}]},
///      {"field": "kind", "from": "employment_type", "transforms": [{"map": {"internal": "staff"}, "fallback": "other"}, {"default": "-"}]}]
///
/// The list replaces the mapping as a whole. Every problem is a 422 naming the place (`mapping[2].from`).
enum MappingInput {
    static let maximumFields = 100
    private static let fieldKeys: Set<String> = ["field", "from", "value", "join", "separator", "transforms"]
    private static let simpleTransforms: [String: Transform] = ["trim": .trim, "lowercase": .lowercase, "uppercase": .uppercase]

    /// The mapping sent; `from` and `join` stay as sent (keys or labels) until `resolve`.
    static func parse(_ json: JSONValue) throws(ServiceError) -> Mapping {
        guard let items = json.array else {
            throw .invalid("mapping", "mapping is a list of fields, e.g. [{\"field\": \"phone\", \"from\": \"Phone\"}]")
        }
        guard items.count <= maximumFields else { throw .invalid("mapping", "mapping has at most \(maximumFields) fields") }
        var fields: [FieldMapping] = []
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let path = "mapping[\(index)]"
            let field = try parseField(item, path: path)
            guard seen.insert(field.target).inserted else { throw .invalid(path + ".field", "\(field.target) is mapped twice") }
            fields.append(field)
        }
        return Mapping(fields)
    }

    private static func parseField(_ item: JSONValue, path: String) throws(ServiceError) -> FieldMapping {
        guard let object = item.object else { throw .invalid(path, "each field is an object with field and from, value or join") }
        if let unknown = object.keys.sorted().first(where: { !fieldKeys.contains($0) }) {
            throw .invalid("\(path).\(unknown.prefix(60))", "\(unknown.prefix(60)) is not part of a mapped field; a field takes "
                           + fieldKeys.sorted().joined(separator: ", "))
        }
        guard let target = object["field"]?.string?.trimmingCharacters(in: .whitespaces), !target.isEmpty else {
            throw .invalid(path + ".field", "field names the app's field, e.g. phone")
        }
        guard target.count <= 64, target.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
            throw .invalid(path + ".field", "a field name is up to 64 letters, digits, _, - or .")
        }
        let ways = ["from", "value", "join"].filter { object[$0] != nil }
        guard ways.count == 1 else {
            throw .invalid(path, "\(target) needs exactly one of from (an attribute), value (fixed text) or join (attributes joined)")
        }
        let source: Source
        switch ways[0] {
        case "from":
            guard let key = object["from"]?.string?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
                throw .invalid(path + ".from", "from names a Personio attribute by key or label, e.g. email or Phone")
            }
            source = .attribute(key)
        case "value":
            guard let text = object["value"]?.string else { throw .invalid(path + ".value", "value is text") }
            source = .constant(text)
        default:
            guard let parts = object["join"]?.array, !parts.isEmpty,
                  let keys = Optional(parts.compactMap { $0.string?.trimmingCharacters(in: .whitespaces) }),
                  keys.count == parts.count, !keys.contains(where: \.isEmpty) else {
                throw .invalid(path + ".join", "join lists attributes by key or label, e.g. [\"first_name\", \"last_name\"]")
            }
            source = .concatenate(keys.map(Source.attribute), separator: object["separator"]?.string ?? " ")
        }
        if object["separator"] != nil, ways[0] != "join" || object["separator"]?.string == nil {
            throw .invalid(path + ".separator", "separator is text and goes with join")
        }
        return FieldMapping(target, source, try parseTransforms(object["transforms"], path: path + ".transforms"))
    }

    private static func parseTransforms(_ json: JSONValue?, path: String) throws(ServiceError) -> [Transform] {
        guard let json, !json.isNull else { return [] }
        guard let items = json.array else { throw .invalid(path, "transforms is a list, e.g. [\"trim\", \"lowercase\"]") }
        var transforms: [Transform] = []
        for (index, item) in items.enumerated() {
            let place = "\(path)[\(index)]"
            if let name = item.string {
                guard let transform = simpleTransforms[name] else {
                    throw .invalid(place, "\(name.prefix(40)) is not a transform; one of trim, lowercase, uppercase, "
                                   + "{\"date_format\": …}, {\"default\": …}, {\"map\": {…}, \"fallback\": …}")
                }
                transforms.append(transform)
                continue
            }
            guard let object = item.object else { throw .invalid(place, "a transform is a name or an object") }
            if let pattern = object["date_format"], object.count == 1 {
                guard let pattern = pattern.string, !pattern.isEmpty, DateFormat.isValid(pattern) else {
                    throw .invalid(place + ".date_format", "a date format uses yyyy, MM, dd and separators, e.g. dd.MM.yyyy")
                }
                transforms.append(.dateFormat(pattern))
            } else if let fallback = object["default"], object.count == 1 {
                guard let fallback = fallback.string else { throw .invalid(place + ".default", "default is text") }
                transforms.append(.defaultValue(fallback))
            } else if let table = object["map"], Set(object.keys).isSubset(of: ["map", "fallback"]) {
                guard let entries = table.object, entries.count <= 500 else {
                    throw .invalid(place + ".map", "map is an object of values and what they become (at most 500)")
                }
                var map: [String: String] = [:]
                for (key, value) in entries {
                    guard let text = value.string else { throw .invalid("\(place).map.\(key.prefix(40))", "a mapped value is text") }
                    map[key] = text
                }
                let fallback = object["fallback"]
                guard fallback == nil || fallback?.string != nil || fallback == .null else {
                    throw .invalid(place + ".fallback", "fallback is text: what values not in the map become")
                }
                transforms.append(.valueMap(map, fallback: fallback?.string))
            } else {
                let keys = object.keys.sorted().joined(separator: ", ")
                throw .invalid(place,
                               "\(keys.prefix(60)) is not a transform; use {\"date_format\": …}, {\"default\": …} or {\"map\": {…}, \"fallback\": …}")
            }
        }
        return transforms
    }

    /// The mapping as the API shows it (and takes it back).
    static func json(_ mapping: Mapping) -> JSONValue {
        .array(mapping.fields.map { field in
            var object: [String: JSONValue] = ["field": .string(field.target)]
            switch field.source {
            case .attribute(let key): object["from"] = .string(key)
            case .constant(let text): object["value"] = .string(text)
            case .concatenate(let parts, let separator):
                object["join"] = .array(parts.flatMap(\.attributes).map(JSONValue.string))
                object["separator"] = .string(separator)
            }
            if !field.transforms.isEmpty { object["transforms"] = .array(field.transforms.map(json)) }
            return .object(object)
        })
    }

    static func json(_ transform: Transform) -> JSONValue {
        switch transform {
        case .trim: .string("trim")
        case .lowercase: .string("lowercase")
        case .uppercase: .string("uppercase")
        case .dateFormat(let pattern): .object(["date_format": .string(pattern)])
        case .defaultValue(let text): .object(["default": .string(text)])
        case .valueMap(let table, let fallback):
            .object(["map": .object(table.mapValues(JSONValue.string)), "fallback": fallback.map(JSONValue.string) ?? .null])
        }
    }

    /// Turns labels into keys and checks that the credential can read every attribute. An attribute
    /// the stored mapping already reads (`kept`) stays even when Personio does not share it now (its
    /// values read as empty, as before); a new one must be readable, or the 422 says where to tick it.
    static func resolve(_ mapping: Mapping, readable: [PersonioAttribute], kept: Set<String>) throws(ServiceError) -> Mapping {
        let keys = Set(readable.map(\.key)).union(["id"])
        var resolved = mapping
        for (index, field) in mapping.fields.enumerated() {
            let way = if case .concatenate = field.source { "join" } else { "from" }
            let path = "mapping[\(index)].\(way)"
            resolved.fields[index].source = try resolve(field.source, path: path, readable: readable, keys: keys, kept: kept)
        }
        return resolved
    }

    private static func resolve(_ source: Source, path: String, readable: [PersonioAttribute], keys: Set<String>,
                                kept: Set<String>) throws(ServiceError) -> Source {
        switch source {
        case .constant: return source
        case .concatenate(let parts, let separator):
            var resolved: [Source] = []
            for part in parts { resolved.append(try resolve(part, path: path, readable: readable, keys: keys, kept: kept)) }
            return .concatenate(resolved, separator: separator)
        case .attribute(let name):
            return .attribute(try resolveAttribute(name, path: path, readable: readable, keys: keys, kept: kept))
        }
    }

    /// An attribute named by key or Personio label, as its key; a new one must be readable.
    static func resolveAttribute(_ name: String, path: String, readable: [PersonioAttribute], keys: Set<String>,
                                 kept: Set<String>) throws(ServiceError) -> String {
        var key = name
        if !Employee.isKnownAttribute(name) {
            let folded = name.lowercased()
            let matches = readable.filter { $0.label.lowercased() == folded || $0.key.lowercased() == folded }
            guard matches.count == 1, let match = matches.first else {
                throw .invalid(path, matches.isEmpty
                    ? "\(name.prefix(60)) is neither an attribute key nor the label of an attribute this credential can read "
                        + "(readable: " + readable.map(\.label).sorted().prefix(40).joined(separator: ", ") + "). If Personio has it, "
                        + PersonioClient.remedy(forMissing: String(name.prefix(60)))
                    : "\(name.prefix(60)) is the label of several attributes (\(matches.map(\.key).joined(separator: ", "))); use the key")
            }
            key = match.key
        }
        let attribute = Employee.sourceAttribute(of: key)
        if !keys.contains(attribute), !kept.contains(attribute) {
            let label = readable.first { $0.key == attribute }?.label ?? PersonioStandardAttribute.named(attribute)?.label ?? attribute
            throw ServiceError(.invalid, code: "attribute_not_shared", message: "Personio does not share ‘\(label)’ (\(attribute)) "
                               + "with this source's API credential. " + PersonioClient.remedy(forMissing: label), field: path)
        }
        return key
    }

    /// "added phone, removed gender, changed email", for the audit log.
    static func changes(from old: Mapping, to new: Mapping) -> String? {
        let before = Dictionary(old.fields.map { ($0.target, $0) }, uniquingKeysWith: { $1 })
        let after = Dictionary(new.fields.map { ($0.target, $0) }, uniquingKeysWith: { $1 })
        var parts: [String] = []
        for field in new.fields where before[field.target] == nil {
            parts.append("added \(field.target)" + (field.source.attributes.isEmpty ? "" : " from \(field.source.attributes.joined(separator: "+"))"))
        }
        for field in old.fields where after[field.target] == nil { parts.append("removed \(field.target)") }
        for field in new.fields where before[field.target].map({ $0 != field }) ?? false { parts.append("changed \(field.target)") }
        return parts.isEmpty ? nil : "mapping: " + parts.joined(separator: ", ")
    }
}
