/// Keeps requests under Personio's limits on the client side, so limits are respected rather than
/// discovered through 429s: at most `perSecond` in any second and `perMinute` in any minute, and
/// nothing at all while a 429's `Retry-After` runs.
actor RequestLimiter {
    private let perSecond: Int?
    private let perMinute: Int
    private let clock: PersonioClock
    /// Extra room on each window: the server sees requests a little later than they leave.
    private let margin: Duration = .milliseconds(30)
    private var sent: [Duration] = []
    private var pausedUntil: Duration = .zero

    init(perSecond: Int?, perMinute: Int, clock: PersonioClock) {
        self.perSecond = perSecond
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Waits until one more request fits, then records it.
    func acquire() async throws {
        while true {
            let now = clock.now()
            let wait = delay(at: now)
            if wait <= .zero {
                sent.append(now)
                return
            }
            try await clock.sleep(wait)
        }
    }

    /// Holds every request until `duration` from now has passed (after a 429).
    func pause(for duration: Duration) {
        pausedUntil = max(pausedUntil, clock.now() + duration)
    }

    private func delay(at now: Duration) -> Duration {
        if pausedUntil > now { return pausedUntil - now }
        let minuteWindow = Duration.seconds(60) + margin
        if let firstRecent = sent.firstIndex(where: { now - $0 < minuteWindow }) {
            sent.removeFirst(firstRecent)
        } else {
            sent.removeAll(keepingCapacity: true)
        }
        var wait = Duration.zero
        if sent.count >= perMinute {
            wait = max(wait, sent[sent.count - perMinute] + minuteWindow - now)
        }
        if let perSecond, sent.count >= perSecond {
            let secondWindow = Duration.seconds(1) + margin
            wait = max(wait, sent[sent.count - perSecond] + secondWindow - now)
        }
        return wait
    }
}
