/// Where one person stands in one connection's target.
public enum LinkState: String, Sendable, Hashable, Codable, CaseIterable {
    case draft, archived, active, deleted
}

/// One employee in one connection: what the target last received.
public struct Link: Sendable, Hashable, Codable {
    public var personioID: Int
    /// The target's id for the person, once created.
    public var targetID: String?
    public var state: LinkState
    /// Fingerprint of the mapped fields last applied.
    public var fingerprint: Fingerprint
    /// The mapped fields last applied, where the target keeps them (feed); nil where only the
    /// fingerprint is stored (SCIM, data minimisation) — then changes are reported without names.
    public var fields: [String: String]?
    /// Whether the person was ever active in the target: archived → active is then a restore
    /// (rehire), otherwise an activation (start date reached).
    public var hasBeenActive: Bool

    public init(personioID: Int, targetID: String? = nil, state: LinkState, fingerprint: Fingerprint,
                fields: [String: String]? = nil, hasBeenActive: Bool = false) {
        self.personioID = personioID
        self.targetID = targetID
        self.state = state
        self.fingerprint = fingerprint
        self.fields = fields
        self.hasBeenActive = hasBeenActive || state == .active
    }
}

/// A stable fingerprint of mapped fields (FNV-1a 64 over the sorted pairs): the same on every
/// machine and run, unlike `Hasher`. Stored and shown as 16 hex digits.
public struct Fingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses the 16 hex digits `description` produces.
    public init?(hex: String) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    public static func of(_ fields: [String: String]) -> Fingerprint {
        var hash = seed
        for key in fields.keys.sorted() { mix(key, fields[key] ?? "", into: &hash) }
        return Fingerprint(hash)
    }

    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = Fingerprint(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a fingerprint is 16 hex digits, not \(text)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    static func mix(_ key: String, _ value: String, into hash: inout UInt64) {
        mix(key, into: &hash)
        hash = (hash ^ 0x1F) &* 0x100_0000_01b3
        mix(value, into: &hash)
        hash = (hash ^ 0x1E) &* 0x100_0000_01b3
    }

    /// The same as mixing the key as text.
    @inline(__always)
    static func mix(_ key: UnsafeBufferPointer<UInt8>, _ value: String, into hash: inout UInt64) {
        var state = hash
        for byte in key { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (state ^ 0x1F) &* 0x100_0000_01b3
        mix(value, into: &hash)
        hash = (hash ^ 0x1E) &* 0x100_0000_01b3
    }

    @inline(__always)
    private static func mix(_ text: String, into hash: inout UInt64) {
        var state = hash
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        if done == nil {
            for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        hash = state
    }
}
