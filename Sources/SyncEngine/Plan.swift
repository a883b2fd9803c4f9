import Foundation

/// One thing to do to one person in the target, and why.
public struct Operation: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case create, update, activate, archive, restore, delete, hold
    }

    public var kind: Kind
    public var personioID: Int
    public var targetID: String?
    /// Why, in words fit for the dashboard: "archived: termination date 2026-11-30 has passed".
    public var reason: String
    /// The state the link has after the operation; for `hold`, the state it keeps (nil: still unlinked).
    public var resultingState: LinkState?
    /// The mapped fields to send (create, update and state changes).
    public var fields: [String: String]
    /// Fields whose value changed; empty for creates, and for targets that keep only a fingerprint.
    public var changedFields: [String]
    /// For `hold`: what the operation would have been.
    public var held: Kind?

    public var description: String { "\(kind.rawValue) \(personioID): \(reason)" }
}

/// A person the plan leaves alone, and why (not started yet, out of scope, missing data, …).
public struct Skip: Sendable, Hashable, Codable {
    public var personioID: Int
    public var reason: String
}

/// What the deletion brake did.
public struct BrakeSummary: Sendable, Hashable, Codable {
    /// People the run would archive or delete.
    public var removals: Int
    /// People linked in the connection before the run.
    public var linked: Int
    public var threshold: Double
    public var minimum: Int
    public var held: Bool
    public var released: Bool

    public var message: String {
        let share = linked == 0 ? 0 : Double(removals) / Double(linked) * 100
        let verb = held ? "held" : "let through"
        return "\(removals) of \(linked) people (\(Int(share.rounded())) %) would be archived or deleted; the brake \(verb) them "
            + "(threshold \(Int((threshold * 100).rounded())) % and at least \(minimum))"
    }
}

/// Everything one run would do, in a deterministic order (by person, then kind).
public struct Plan: Sendable, Hashable, Codable {
    public var operations: [Operation]
    public var skipped: [Skip]
    public var brake: BrakeSummary?

    public func count(_ kind: Operation.Kind) -> Int { operations.filter { $0.kind == kind }.count }
    public var isEmpty: Bool { operations.isEmpty }
}

/// What the planner sees of one run.
public struct PlanInput: Sendable {
    /// How the employees were listed.
    public enum Listing: Sendable, Hashable {
        /// Everyone Personio returns; `complete` is false when the client reported an incomplete listing.
        case full(complete: Bool)
        /// Only people changed since the last run: never a reason to think anyone left.
        case incremental
    }

    public var links: [Int: Link]
    public var employees: [Employee]
    public var listing: Listing
    public var now: Date
    public var timeZone: TimeZone
    /// People an HR admin approved (for policies that require approval).
    public var approved: Set<Int>
    /// An admin released the held batch of the deletion brake.
    public var brakeReleased: Bool
    /// The connection's link counts when `links` holds only some of its links (an incremental
    /// listing needs only its people's); nil: counted from `links`. The seat limit and the brake use them.
    public var linkCounts: LinkCounts?
    /// Attributes Personio stopped sharing with the credential (see `SharedAttributes`): their
    /// values are unknown, so no field read from them is cleared and no rule that needs them fires.
    public var withheld: Set<String>

    public struct LinkCounts: Sendable, Hashable {
        /// Links in state `active`.
        public var active: Int
        /// Links not `deleted`.
        public var linked: Int

        public init(active: Int, linked: Int) {
            self.active = active
            self.linked = linked
        }
    }

    public init(links: [Int: Link], employees: [Employee], listing: Listing, now: Date,
                timeZone: TimeZone = TimeZone(identifier: "Europe/Berlin") ?? .current,
                approved: Set<Int> = [], brakeReleased: Bool = false, linkCounts: LinkCounts? = nil, withheld: Set<String> = []) {
        self.linkCounts = linkCounts
        self.withheld = withheld
        self.links = links
        self.employees = employees
        self.listing = listing
        self.now = now
        self.timeZone = timeZone
        self.approved = approved
        self.brakeReleased = brakeReleased
    }
}

/// A connection's rules: the policy, the mapping and the scope.
public struct ConnectionRules: Sendable, Hashable, Codable {
    public var policy: Policy
    public var mapping: Mapping
    public var scope: Scope
    /// Whether the target keeps mapped fields (feed) so changes can be named; SCIM keeps only fingerprints.
    public var storesFields: Bool

    public init(policy: Policy, mapping: Mapping, scope: Scope = .everyone, storesFields: Bool = true) {
        self.policy = policy
        self.mapping = mapping
        self.scope = scope
        self.storesFields = storesFields
    }
}
