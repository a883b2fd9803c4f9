/// Where one person stands in one connection's target.
public enum LinkState: String, Sendable, Hashable, Codable, CaseIterable {
    case draft, archived, active, deleted
}

/// One employee in one connection: what the target last received.
public struct Link: Sendable, Hashable, Codable {
    public var personioId: Int
    /// The target's id for the person, once created.
    public var targetId: String?
    public var state: LinkState
    /// Fingerprint of the mapped fields last applied.
    public var fingerprint: String
    /// The mapped fields last applied, where the target keeps them (feed); nil where only the
    /// fingerprint is stored (SCIM, data minimisation) — then changes are reported without names.
    public var fields: [String: String]?
    /// Whether the person was ever active in the target: archived → active is then a restore
    /// (rehire), otherwise an activation (start date reached).
    public var hasBeenActive: Bool

    public init(personioId: Int, targetId: String? = nil, state: LinkState, fingerprint: String,
                fields: [String: String]? = nil, hasBeenActive: Bool = false) {
        self.personioId = personioId
        self.targetId = targetId
        self.state = state
        self.fingerprint = fingerprint
        self.fields = fields
        self.hasBeenActive = hasBeenActive || state == .active
    }
}

/// A stable fingerprint of mapped fields (FNV-1a 64 over the sorted pairs): the same on every
/// machine and run, unlike `Hasher`.
public enum Fingerprint {
    public static func of(_ fields: [String: String]) -> String {
        var hash = seed
        for key in fields.keys.sorted() { mix(key, fields[key] ?? "", into: &hash) }
        return hex(hash)
    }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    static func mix(_ key: String, _ value: String, into hash: inout UInt64) {
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x1F) &* 0x100_0000_01b3
        for byte in value.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x1E) &* 0x100_0000_01b3
    }

    static func hex(_ hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
