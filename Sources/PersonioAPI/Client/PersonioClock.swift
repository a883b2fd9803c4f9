/// Monotonic time and sleeping, injected so tests can run retries and rate limits without waiting.
public struct PersonioClock: Sendable {
    /// Time since an arbitrary origin; only differences matter.
    public var now: @Sendable () -> Duration
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The real clock.
    public static var continuous: PersonioClock {
        let clock = ContinuousClock()
        let origin = clock.now
        return PersonioClock(now: { clock.now - origin }, sleep: { try await clock.sleep(for: $0) })
    }
}
