/// Which people a connection is about: every include rule must match, no exclude rule may.
public struct Scope: Sendable, Hashable, Codable {
    public struct Rule: Sendable, Hashable, Codable {
        /// An attribute as `Employee.value(of:)` reads it: `department`, `office`, `subcompany`,
        /// `employment_type`, `status`, `dynamic_<id>`, …
        public var attribute: String
        public var values: Set<String>
        public var include: Bool

        public init(attribute: String, values: Set<String>, include: Bool = true) {
            self.attribute = attribute
            self.values = values
            self.include = include
        }
    }

    public var rules: [Rule]

    public init(_ rules: [Rule] = []) {
        self.rules = rules
    }

    public static let everyone = Scope()

    /// nil when the person is in scope, otherwise the reason they are not.
    public func exclusion(of employee: Employee, timeZone: TimeZone) -> String? {
        for rule in rules {
            let value = employee.value(of: rule.attribute, timeZone: timeZone) ?? ""
            let matches = rule.values.contains(value)
            if rule.include, !matches {
                return "\(rule.attribute) \(value.isEmpty ? "is empty" : "is \(value)"), not one of \(rule.values.sorted().joined(separator: ", "))"
            }
            if !rule.include, matches {
                return "\(rule.attribute) \(value) is excluded"
            }
        }
        return nil
    }

    public func validate() -> [MappingError] {
        rules.enumerated().compactMap { index, rule in
            Employee.isKnownAttribute(rule.attribute) ? nil
                : MappingError(field: "scope.rules[\(index)].attribute", message: "\(rule.attribute) is not a Personio attribute")
        }
    }
}

import Foundation
