/// How a connection treats each situation in a person's working life. Every rule is evaluated
/// with an injected "now" in the workspace's time zone.
public struct Policy: Sendable, Hashable, Codable {
    /// People whose start date is still ahead.
    public enum PreHire: Sendable, Hashable, Codable {
        /// Not sent until the start date.
        case skip
        /// Sent as archived once the start date is at most `days` away; not sent before.
        case archivedWithin(days: Int)
        /// Sent as a draft.
        case draft
        /// Sent as active at once.
        case active
    }

    public enum Removal: String, Sendable, Hashable, Codable {
        case keep, archive, delete
    }

    public var preHire: PreHire
    /// Status `leave` (temporarily away).
    public var onLeave: Removal
    /// Status `inactive`, or the termination date or last working day has passed. `keep` is not
    /// offered: a leaver always frees their seat.
    public var onLeaver: Removal
    /// No longer returned by a complete full listing.
    public var onVanished: Removal
    /// New people become drafts until approved.
    public var requiresApproval: Bool
    /// Source attributes a person must have a value for to be sent.
    public var requiredAttributes: [String]
    /// At most this many active people; activations beyond it are held.
    public var seatLimit: Int?
    public var brake: DeletionBrake

    public init(preHire: PreHire = .skip, onLeave: Removal = .keep, onLeaver: Removal = .archive, onVanished: Removal = .archive,
                requiresApproval: Bool = false, requiredAttributes: [String] = [], seatLimit: Int? = nil,
                brake: DeletionBrake = DeletionBrake()) {
        self.preHire = preHire
        self.onLeave = onLeave
        self.onLeaver = onLeaver == .keep ? .archive : onLeaver
        self.onVanished = onVanished
        self.requiresApproval = requiresApproval
        self.requiredAttributes = requiredAttributes
        self.seatLimit = seatLimit
        self.brake = brake
    }
}

/// Holds a run that would archive or delete too many people at once.
public struct DeletionBrake: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// Share of the connection's linked people (0…1) above which the brake holds…
    public var threshold: Double
    /// …provided at least this many people would go.
    public var minimum: Int

    public init(enabled: Bool = true, threshold: Double = 0.2, minimum: Int = 10) {
        self.enabled = enabled
        self.threshold = threshold
        self.minimum = minimum
    }
}
