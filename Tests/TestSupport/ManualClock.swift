import Foundation

/// A clock tests move by hand, so token expiry and rate-limit windows are deterministic.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = start
    }

    public var now: Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    /// A `now` provider reading this clock.
    public var provider: @Sendable () -> Date { { [self] in self.now } }
}
