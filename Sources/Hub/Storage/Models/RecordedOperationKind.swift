import SyncEngine

/// What a run recorded for a person, as `run_operations.kind` stores it: an operation (`create`,
/// `archive`, …), one the deletion brake held (`hold:archive`), or a skip (`skip`). Text this version
/// does not know (written by a newer one) is kept as it is.
public enum RecordedOperationKind: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case operation(SyncEngine.Operation.Kind)
    /// Held by the brake; what it would have been, when known.
    case held(SyncEngine.Operation.Kind?)
    case skip
    case other(String)

    private static let heldPrefix = "hold:"

    /// As the planner made it: a held operation records what it would have been.
    public init(_ operation: SyncEngine.Operation) {
        if let wouldBe = operation.held {
            self = .held(wouldBe)
        } else {
            self = operation.kind == .hold ? .held(nil) : .operation(operation.kind)
        }
    }

    /// As stored.
    public init(stored text: String) {
        if text == "skip" {
            self = .skip
        } else if text == SyncEngine.Operation.Kind.hold.rawValue {
            self = .held(nil)
        } else if text.hasPrefix(Self.heldPrefix), let wouldBe = SyncEngine.Operation.Kind(rawValue: String(text.dropFirst(Self.heldPrefix.count))) {
            self = .held(wouldBe)
        } else if let kind = SyncEngine.Operation.Kind(rawValue: text) {
            self = .operation(kind)
        } else {
            self = .other(text)
        }
    }

    public init(stringLiteral text: String) {
        self.init(stored: text)
    }

    /// The text stored (and shown by the API as the operation's `kind`).
    public var stored: String {
        switch self {
        case .operation(let kind): kind.rawValue
        case .held(let wouldBe?): Self.heldPrefix + wouldBe.rawValue
        case .held(nil): SyncEngine.Operation.Kind.hold.rawValue
        case .skip: "skip"
        case .other(let text): text
        }
    }

    public var description: String { stored }
}
