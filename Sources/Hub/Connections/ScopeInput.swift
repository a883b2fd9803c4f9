import Foundation
import PersonioAPI
import SyncEngine

/// A connection's scope as the API takes and shows it: everyone (`[]`), or rules that must all hold,
/// each on one attribute (key or Personio label) and its values:
///
///     [{"attribute": "department", "is": ["Sales", "Support"]},
///      {"attribute": "status", "is_not": ["inactive"]},
///      {"attribute": "Country of employment", "is": ["DE"]}]
///
/// The list replaces the scope as a whole. Every problem is a 422 naming its place (`scope[1].is`).
enum ScopeInput {
    static let maximumRules = 20
    static let maximumValues = 200

    /// The scope sent; attributes stay as sent (keys or labels) until resolved.
    static func parse(_ json: JSONValue) throws(ServiceError) -> Scope {
        guard let items = json.array else {
            throw .invalid("scope", "scope is a list of rules, e.g. [{\"attribute\": \"department\", \"is\": [\"Sales\"]}]; [] is everyone")
        }
        guard items.count <= maximumRules else { throw .invalid("scope", "scope has at most \(maximumRules) rules") }
        var rules: [Scope.Rule] = []
        for (index, item) in items.enumerated() {
            let path = "scope[\(index)]"
            guard let object = item.object else { throw .invalid(path, "each rule is an object with attribute and is or is_not") }
            if let unknown = object.keys.sorted().first(where: { !["attribute", "is", "is_not"].contains($0) }) {
                throw .invalid("\(path).\(unknown.prefix(60))",
                               "\(unknown.prefix(60)) is not part of a scope rule; a rule takes attribute, is, is_not")
            }
            guard let attribute = object["attribute"]?.string?.trimmingCharacters(in: .whitespaces), !attribute.isEmpty else {
                throw .invalid(path + ".attribute", "attribute names a Personio attribute by key or label, e.g. department")
            }
            let ways = ["is", "is_not"].filter { object[$0] != nil }
            guard ways.count == 1, let way = ways.first else {
                throw .invalid(path, "a rule needs exactly one of is (people with one of these values) or is_not (people without them)")
            }
            guard let list = object[way]?.array, !list.isEmpty, list.count <= maximumValues else {
                throw .invalid("\(path).\(way)", "\(way) lists 1 to \(maximumValues) values, e.g. [\"Sales\"]")
            }
            var values: Set<String> = []
            for (position, value) in list.enumerated() {
                guard let text = value.string else { throw .invalid("\(path).\(way)[\(position)]", "a value is text, as Personio shows it") }
                values.insert(text)
            }
            rules.append(Scope.Rule(attribute: attribute, values: values, include: way == "is"))
        }
        return Scope(rules)
    }

    /// Labels turned into keys; an attribute new to the connection must be one the credential reads.
    static func resolve(_ scope: Scope, readable: [PersonioAttribute], kept: Set<String>) throws(ServiceError) -> Scope {
        let keys = Set(readable.map(\.key)).union(["id"])
        var resolved = scope
        for (index, rule) in scope.rules.enumerated() {
            resolved.rules[index].attribute = try MappingInput.resolveAttribute(rule.attribute, path: "scope[\(index)].attribute",
                                                                                readable: readable, keys: keys, kept: kept)
        }
        return resolved
    }

    /// The scope as the API shows it (and takes it back); values sorted.
    static func json(_ scope: Scope) -> JSONValue {
        .array(scope.rules.map { rule in
            .object(["attribute": .string(rule.attribute), rule.include ? "is" : "is_not": .array(rule.values.sorted().map(JSONValue.string))])
        })
    }

    /// "department is Sales or Support; status is not inactive", or "everyone".
    static func describe(_ scope: Scope) -> String {
        guard !scope.rules.isEmpty else { return "everyone" }
        return scope.rules.map { rule in
            "\(rule.attribute) \(rule.include ? "is" : "is not") \(rule.values.sorted().joined(separator: " or "))"
        }.joined(separator: "; ")
    }
}
