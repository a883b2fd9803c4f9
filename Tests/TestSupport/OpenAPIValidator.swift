import Foundation
import Yams

/// Validates JSON documents against schemas of an OpenAPI 3.0 file (the subset Personio's files
/// use: `$ref`, `allOf`, `oneOf`, `anyOf`, `type`, `nullable`, `enum`, `required`, `properties`,
/// `items`, `pattern`, `format: date`).
///
/// Two readings are deliberate, because Personio's official file is partly outdated:
/// - `allOf` branches are merged with later branches winning, so the generic `Response` (whose
///   `data` is an object) does not contradict list responses whose `data` is an array.
/// - A property that is not `required` may be `null`: Personio sends `null` for empty objects and
///   dates although the file rarely says `nullable` (see PERSONIO-WIRE.md).
public struct OpenAPIValidator {
    private let document: [String: Any]
    /// Whether a property the schema does not name is a violation (v2's schemas list every property;
    /// v1's file is too outdated for this).
    public var strictProperties = false

    public init(yaml: String) throws {
        guard let loaded = try Yams.load(yaml: yaml) else { throw HarnessError("empty OpenAPI document") }
        guard let document = Self.normalise(loaded) as? [String: Any] else { throw HarnessError("OpenAPI document is not a mapping") }
        self.document = document
    }

    /// The file from `../shared/personio-api/` beside the project, or nil when it is not there.
    public static func personioPersonnelAPI() throws -> OpenAPIValidator? {
        try load("personio-personnel-data-api-oa3.yaml")
    }

    public static func personioAuthAPI() throws -> OpenAPIValidator? {
        try load("personio-auth-api.yaml")
    }

    /// One of Personio's v2 files (`v2/persons-service-api-v2.json`, `common-components-v2.json`), or nil when absent.
    public static func personioV2(_ name: String) throws -> OpenAPIValidator? {
        try load(name)
    }

    /// Whether Personio's v2 files are beside the project, or in `.build/personio-api/` (where
    /// `scripts/personio-specs.sh` puts them from PyPI when the shared folder is absent).
    public static var personioV2FilesPresent: Bool {
        FileManager.default.fileExists(atPath: url("v2/persons-service-api-v2.json").path)
    }

    /// Whether `common-components-v2.json` is there (only beside the project).
    public static var personioCommonComponentsPresent: Bool {
        FileManager.default.fileExists(atPath: url("common-components-v2.json").path)
    }

    /// Whether Personio's files are beside the project (they are in CI).
    public static var personioFilesPresent: Bool {
        FileManager.default.fileExists(atPath: url("personio-personnel-data-api-oa3.yaml").path)
    }

    /// `../shared/personio-api/<name>` beside the project, else the copy in `<project>/.build/personio-api/`.
    private static func url(_ name: String) -> URL {
        var project = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { project.deleteLastPathComponent() }  // <project>/Tests/TestSupport/X.swift → <project>
        let shared = project.deletingLastPathComponent().appendingPathComponent("shared/personio-api/\(name)")
        let fetched = project.appendingPathComponent(".build/personio-api/\(name)")
        return FileManager.default.fileExists(atPath: shared.path) || !FileManager.default.fileExists(atPath: fetched.path) ? shared : fetched
    }

    private static func load(_ name: String) throws -> OpenAPIValidator? {
        let file = url(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try OpenAPIValidator(yaml: String(contentsOf: file, encoding: .utf8))
    }

    /// The schema of a named component, e.g. `EmployeesResponse`.
    public func component(_ name: String) -> Any? {
        ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name]
    }

    /// The schema of `path`'s `method` response with `status`, for `application/json`.
    public func responseSchema(path: String, method: String, status: String, contentType: String = "application/json") -> Any? {
        let paths = document["paths"] as? [String: Any]
        let operation = (paths?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
        let response = (operation?["responses"] as? [String: Any])?[status] as? [String: Any]
        let content = (response?["content"] as? [String: Any])?[contentType] as? [String: Any]
        return content?["schema"]
    }

    /// The `response` example of `path`'s `method` response with `status`, for operations the file
    /// describes by example only.
    public func responseExample(path: String, method: String, status: String) -> Any? {
        let paths = document["paths"] as? [String: Any]
        let operation = (paths?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
        let response = (operation?["responses"] as? [String: Any])?[status] as? [String: Any]
        let content = (response?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        return ((content?["examples"] as? [String: Any])?["response"] as? [String: Any])?["value"]
    }

    /// Every violation of `schema` by `value`, as `path: problem` lines; empty when it conforms.
    public func violations(of value: JSONValue, against schema: Any) -> [String] {
        var problems: [String] = []
        check(value, schema, at: "$", into: &problems)
        return problems
    }

    private func check(_ value: JSONValue, _ rawSchema: Any, at path: String, into problems: inout [String]) {
        guard var schema = resolve(rawSchema) else { problems.append("\(path): unresolvable schema"); return }
        if let parts = schema["allOf"] as? [Any] {
            schema = merge(parts.compactMap(resolve) + [schema.filter { $0.key != "allOf" }])
        }
        if let options = (schema["oneOf"] ?? schema["anyOf"]) as? [Any] {
            let fits = options.contains { option in
                var nested: [String] = []
                check(value, option, at: path, into: &nested)
                return nested.isEmpty
            }
            if !fits { problems.append("\(path): matches none of the alternatives") }
        }
        if value.isNull {
            if schema["type"] != nil, schema["nullable"] as? Bool != true {
                problems.append("\(path): null where \(schema["type"] ?? "") is required")
            }
            return
        }
        if let type = schema["type"] as? String, !matches(value, type) {
            problems.append("\(path): expected \(type), got \(describe(value))")
            return
        }
        if let options = schema["enum"] as? [Any] {
            let allowed = options.map { "\($0)" }
            let given: String? = switch value {
            case .string(let text): text
            case .number(let number): number == number.rounded() ? String(Int(number)) : String(number)
            case .bool(let flag): String(flag)
            default: nil
            }
            if let given, !allowed.contains(given) { problems.append("\(path): \(given) is not one of \(allowed)") }
        }
        if case .string(let text) = value {
            if let pattern = schema["pattern"] as? String,
               let regex = try? NSRegularExpression(pattern: pattern),
               regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                problems.append("\(path): \"\(text)\" does not match \(pattern)")
            }
            if schema["format"] as? String == "date", text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
                problems.append("\(path): \"\(text)\" is not a date")
            }
            if schema["format"] as? String == "date-time",
               text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) == nil {
                problems.append("\(path): \"\(text)\" is not a date-time")
            }
            if schema["format"] as? String == "uuid",
               text.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#, options: .regularExpression) == nil {
                problems.append("\(path): \"\(text)\" is not a UUID")
            }
        }
        if case .object(let object) = value {
            let required = schema["required"] as? [String] ?? []
            for key in required where object[key] == nil { problems.append("\(path): missing required \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, propertySchema) in properties {
                guard let propertyValue = object[key] else { continue }
                if propertyValue.isNull, !required.contains(key) { continue }
                check(propertyValue, propertySchema, at: "\(path).\(key)", into: &problems)
            }
            if let additional = schema["additionalProperties"] as? [String: Any] {
                for (key, propertyValue) in object where properties[key] == nil {
                    check(propertyValue, additional, at: "\(path).\(key)", into: &problems)
                }
            }
            if strictProperties, !properties.isEmpty, schema["additionalProperties"] == nil {
                for key in object.keys where properties[key] == nil { problems.append("\(path): \(key) is not in the schema") }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() { check(item, itemSchema, at: "\(path)[\(index)]", into: &problems) }
        }
    }

    private func resolve(_ schema: Any) -> [String: Any]? {
        guard let dictionary = schema as? [String: Any] else { return nil }
        if let reference = dictionary["$ref"] as? String {
            let keys = reference.replacingOccurrences(of: "#/", with: "").split(separator: "/")
                .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            var node: Any? = document
            for key in keys { node = (node as? [String: Any])?[key] }
            return node.flatMap(resolve)
        }
        return dictionary
    }

    private func merge(_ schemas: [[String: Any]]) -> [String: Any] {
        var merged: [String: Any] = [:]
        var properties: [String: Any] = [:]
        var required: [String] = []
        for schema in schemas {
            let flattened = (schema["allOf"] as? [Any]).map { merge($0.compactMap(resolve) + [schema.filter { $0.key != "allOf" }]) } ?? schema
            for (key, value) in flattened where key != "properties" && key != "required" { merged[key] = value }
            for (key, value) in flattened["properties"] as? [String: Any] ?? [:] { properties[key] = value }
            required += flattened["required"] as? [String] ?? []
        }
        merged["properties"] = properties
        merged["required"] = Array(Set(required))
        return merged
    }

    private func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): true
        case ("integer", .number(let number)): number == number.rounded()
        default: false
        }
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string(let text): "string \"\(text.prefix(40))\""
        case .array: "array"
        case .object: "object"
        }
    }

    private static func normalise(_ value: Any) -> Any {
        if let mapping = value as? [AnyHashable: Any] {
            var result: [String: Any] = [:]
            for (key, item) in mapping { result["\(key)"] = normalise(item) }
            return result
        }
        if let sequence = value as? [Any] { return sequence.map(normalise) }
        return value
    }
}
