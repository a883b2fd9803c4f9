import Foundation

/// Which of the attributes a connection relies on Personio shares with the source's credential,
/// remembered from one listing to the next. An attribute that was shared and is missing now was
/// *withheld* — an admin unticked it in Personio, or the credential changed: its values are
/// unknown, not empty, until it is shared again or an admin accepts the change.
public struct SharedAttributes: Sendable, Hashable, Codable {
    /// Attributes the latest listing with people returned.
    public var shared: Set<String>
    /// Attributes returned before and missing since, with the moment they were first missed.
    public var withheld: [String: Date]

    public init(shared: Set<String> = [], withheld: [String: Date] = [:]) {
        self.shared = shared
        self.withheld = withheld
    }

    /// Takes in one listing. Personio returns every attribute a credential may read for every
    /// person, so one person is enough to tell; a listing without people tells nothing.
    public mutating func observe(_ employees: [Employee], relevant: Set<String>, at now: Date) {
        guard let first = employees.first else { return }
        for attribute in relevant {
            let returned = first.readableAttributes.contains(attribute)
                || employees.contains { $0.readableAttributes.contains(attribute) }
            if returned {
                shared.insert(attribute)
                withheld[attribute] = nil
            } else if shared.remove(attribute) != nil {
                withheld[attribute] = withheld[attribute] ?? now
            }
        }
    }

    /// An admin accepts that these attributes are no longer shared: from now on their values read
    /// as empty (fields are cleared, rules that need them apply).
    public mutating func accept(_ attributes: some Sequence<String>) {
        for attribute in attributes { withheld[attribute] = nil }
    }

    /// Attributes in `required` that Personio has never shared with the credential (a listing with
    /// people told so): a connection that needs them is blocked until they are ticked in Personio.
    /// Empty while nothing was observed; a withheld attribute (shared before) is not among them.
    public func neverShared(of required: some Sequence<String>) -> [String] {
        guard !shared.isEmpty else { return [] }
        let keys = Set(required.map(Employee.sourceAttribute(of:))).subtracting(["id"])
        return keys.filter { !shared.contains($0) && withheld[$0] == nil }.sorted()
    }

    /// "department (since 2026-12-02), status (since …)", for messages.
    public func describe(in timeZone: TimeZone) -> String {
        withheld.keys.sorted().map { key in
            let since = withheld[key].map { LocalDate.today($0, timeZone).description } ?? "?"
            return "\(key) (since \(since))"
        }.joined(separator: ", ")
    }
}

extension ConnectionRules {
    /// What the lifecycle reads of everyone: start, leave and end of employment.
    public static let lifecycleAttributes: Set<String> = ["status", "hire_date", "termination_date", "last_working_day"]

    /// The source attributes whose values change what this connection does: the lifecycle's, the
    /// scope's, the required ones and every mapped one.
    public var attributesReliedOn: Set<String> {
        var keys = Self.lifecycleAttributes
        keys.formUnion(decisionAttributes)
        keys.formUnion(mapping.fields.flatMap(\.source.attributes).map(Employee.sourceAttribute(of:)))
        keys.remove("id")
        return keys
    }

    /// What the policy cannot do without attributes Personio does not share (never shared, or
    /// withheld and accepted): it does not guess, it says so.
    public func lifecycleWarnings(_ sharing: SharedAttributes) -> [String] {
        guard !sharing.shared.isEmpty else { return [] }
        func missing(_ key: String) -> Bool { !sharing.shared.contains(key) && sharing.withheld[key] == nil }
        var warnings: [String] = []
        if policy.preHire != .active, missing("hire_date") {
            warnings.append("Personio does not share the hire date (hire_date), so people who have not started yet cannot be told "
                            + "apart: everyone listed is treated as started.")
        }
        if missing("status"), missing("termination_date"), missing("last_working_day") {
            warnings.append("Personio shares neither the status nor the termination date or last working day, so leavers cannot be "
                            + "recognised: they stay until Personio stops listing them.")
        } else if policy.onLeave != .keep, missing("status") {
            warnings.append("Personio does not share the status (status), so people on leave cannot be recognised.")
        }
        return warnings
    }

    /// Attributes that decide whether and in which state a person is sent (besides the lifecycle's).
    var decisionAttributes: Set<String> {
        Set(scope.rules.map { Employee.sourceAttribute(of: $0.attribute) } + policy.requiredAttributes.map(Employee.sourceAttribute(of:)))
    }
}
