/// Holds the bearer token: obtains it once, shares it across concurrent calls (one refresh at a
/// time), and drops it when Personio rejects it so the next call re-authenticates.
actor TokenProvider {
    struct Grant: Sendable {
        var token: String
        var expiresAt: Duration
        var scope: String?
    }

    private let clock: PersonioClock
    private let fetch: @Sendable () async throws(PersonioError) -> Grant
    private var grant: Grant?
    private var refreshing: Task<Grant, any Error>?

    init(clock: PersonioClock, fetch: @escaping @Sendable () async throws(PersonioError) -> Grant) {
        self.clock = clock
        self.fetch = fetch
    }

    /// A valid grant; refreshes a minute before expiry.
    func current() async throws(PersonioError) -> Grant {
        if let grant, grant.expiresAt - .seconds(60) > clock.now() { return grant }
        let task: Task<Grant, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let fetch = self.fetch
            task = Task { try await fetch() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            grant = fresh
            refreshing = nil
            return fresh
        } catch {
            refreshing = nil
            throw error as? PersonioError ?? .unreachable(reason: String(describing: error))
        }
    }

    /// Forgets `token` if it is still the current one (another caller may have refreshed already).
    func invalidate(_ token: String) {
        if grant?.token == token { grant = nil }
    }
}
