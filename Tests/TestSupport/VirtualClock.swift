import Foundation
import Logging
import PersonioAPI

/// A `PersonioClock` whose sleeps return at once and move its time forward, so retries and rate
/// limits run in microseconds while every wait is still recorded.
public final class VirtualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed: Duration = .zero
    private var slept: [Duration] = []

    public init() {}

    public var sleeps: [Duration] { lock.withLock { slept } }
    public var totalSlept: Duration { lock.withLock { slept.reduce(.zero, +) } }

    /// Moves time forward without a recorded sleep (time passing between calls).
    public func advance(by duration: Duration) {
        lock.withLock { elapsed += duration }
    }

    public var clock: PersonioClock {
        PersonioClock(now: { [self] in lock.withLock { elapsed } },
                      sleep: { [self] duration in lock.withLock { elapsed += duration; slept.append(duration) } })
    }
}

/// Collects every log line (message and metadata) so tests can check what was logged.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    public init() {}

    public var all: [String] { lock.withLock { lines } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    /// A logger at trace level that writes here.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}
