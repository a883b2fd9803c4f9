import Foundation

/// Sliding-window limits as Personio applies them: at most `perMinute` requests in any 60 s and,
/// optionally, `perSecond` in any 1 s. When `coolDown` is set, exceeding the limit blocks the key
/// for that long (the auth endpoint's 60 s cool-down).
struct RateLimiter: Sendable {
    var perMinute: Int
    var perSecond: Int?
    var coolDown: TimeInterval?

    private var history: [String: [Date]] = [:]
    private var blockedUntil: [String: Date] = [:]

    init(perMinute: Int, perSecond: Int? = nil, coolDown: TimeInterval? = nil) {
        self.perMinute = perMinute
        self.perSecond = perSecond
        self.coolDown = coolDown
    }

    /// Records a request for `key`, or returns how many seconds the client must wait.
    mutating func admit(_ key: String, at now: Date) -> TimeInterval? {
        if let until = blockedUntil[key] {
            if until > now { return until.timeIntervalSince(now) }
            blockedUntil[key] = nil
        }
        var times = history[key, default: []]
        let minuteAgo = now.addingTimeInterval(-60)
        if let firstRecent = times.firstIndex(where: { $0 > minuteAgo }) {
            times.removeFirst(firstRecent)
        } else {
            times.removeAll(keepingCapacity: true)
        }
        if times.count >= perMinute {
            history[key] = times
            if let coolDown {
                blockedUntil[key] = now.addingTimeInterval(coolDown)
                return coolDown
            }
            return max(0.001, times[0].addingTimeInterval(60).timeIntervalSince(now))
        }
        if let perSecond {
            let secondAgo = now.addingTimeInterval(-1)
            let recent = times.reversed().prefix { $0 > secondAgo }
            if recent.count >= perSecond, let oldest = recent.last {
                history[key] = times
                return max(0.001, oldest.addingTimeInterval(1).timeIntervalSince(now))
            }
        }
        times.append(now)
        history[key] = times
        return nil
    }
}
