import Foundation
import Prometheus

/// What `/metrics` reports, in Prometheus' text format: runs, operations, errors, Personio requests
/// and 429s, the sync lag (seconds since the connection that has waited longest last synced), and the
/// scheduler's health: runs in flight, connections due but waiting, how late runs start (histogram
/// and recent percentiles) and how long they take.
public final class HubMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let personioRequests: Counter
    private let personioRateLimited: Counter
    private let lag: Gauge
    private let inFlight: Gauge
    private let waiting: Gauge
    private let scheduleLag: ValueHistogram
    private let scheduleLagQuantiles: [(Double, Gauge)]
    private let runDuration: ValueHistogram
    private let lastSuccess = LastSuccess()
    private let recentLags = RecentValues(window: 300)

    public init() {
        personioRequests = registry.makeCounter(descriptor: Self.name("personio_requests", "total", "Requests sent to Personio by sync runs."))
        personioRateLimited = registry.makeCounter(descriptor: Self.name(
            "personio_rate_limited", "total", "429 answers Personio gave sync runs (each was waited out and retried)."))
        lag = registry.makeGauge(descriptor: Self.name(
            "sync_lag", "seconds", "Seconds since the connection that has waited longest last synced successfully."))
        inFlight = registry.makeGauge(descriptor: Self.name("runs_in_flight", "", "Sources this instance is syncing right now."))
        waiting = registry.makeGauge(descriptor: Self.name(
            "connections_waiting", "", "Connections that are due but not running (the backlog, over every instance)."))
        scheduleLag = registry.makeValueHistogram(descriptor: Self.name(
            "schedule_lag", "seconds", "How late scheduled runs started after their connection was due."),
            buckets: [0.5, 1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600])
        let quantileName = Self.name("schedule_lag_recent", "seconds",
                                     "Percentiles of how late scheduled runs started on this instance over the last 5 minutes.")
        let registry = registry
        scheduleLagQuantiles = [0.5, 0.95, 0.99, 1].map { quantile in
            (quantile, registry.makeGauge(descriptor: quantileName, labels: [("quantile", quantile == 1 ? "1" : String(quantile))]))
        }
        runDuration = registry.makeValueHistogram(descriptor: Self.name("run_duration", "seconds", "How long sync runs took."),
                                                  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300])
    }

    /// `requests` and `rateLimited` are the listing's, counted with only one of the connections it served.
    func record(_ report: RunReport, requests: Int, rateLimited: Int) {
        registry.makeCounter(descriptor: Self.name("runs", "total", "Sync runs by outcome."),
                             labels: [("status", report.status.rawValue), ("dry_run", String(report.dryRun))]).increment()
        for (kind, count) in report.counts {
            registry.makeCounter(descriptor: Self.name("operations", "total", "Operations planned or applied, by kind."),
                                 labels: [("kind", kind)]).increment(by: Int64(count))
        }
        if report.status == .failed || report.status == .partial {
            registry.makeCounter(descriptor: Self.name("run_errors", "total",
                                                       "Runs that failed or partly failed (Personio unreachable, an app refusing people, …)."))
                .increment()
        }
        personioRequests.increment(by: Int64(requests))
        personioRateLimited.increment(by: Int64(rateLimited))
        runDuration.record(max(0, report.finishedAt.timeIntervalSince(report.startedAt)))
        if report.status == .succeeded || report.status == .held, !report.dryRun {
            lastSuccess.set(report.connectionID, report.finishedAt)
        }
    }

    func setInFlight(_ count: Int) { inFlight.set(Double(count)) }
    func setWaiting(_ count: Int) { waiting.set(Double(count)) }

    /// How late a scheduled run started.
    func recordScheduleLag(_ seconds: Double, at date: Date = Date()) {
        scheduleLag.record(seconds)
        recentLags.add(seconds, at: date)
    }

    /// The recent schedule lag's percentiles (nil: no run in the window).
    func recentScheduleLag(_ quantile: Double, now: Date = Date()) -> Double? {
        recentLags.quantile(quantile, now: now)
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rollcall", metricName: metric, unitName: unit, helpText: help)
    }

    /// The text to serve; the lag is computed for `now`.
    public func render(now: Date) -> String {
        if let oldest = lastSuccess.oldest() { lag.set(max(0, now.timeIntervalSince(oldest))) }
        for (quantile, gauge) in scheduleLagQuantiles { gauge.set(recentLags.quantile(quantile, now: Date()) ?? 0) }
        return registry.emitToString()
    }
}

private final class LastSuccess: @unchecked Sendable {
    private let lock = NSLock()
    private var dates: [UUID: Date] = [:]

    func set(_ connection: UUID, _ date: Date) { lock.withLock { dates[connection] = date } }
    func oldest() -> Date? { lock.withLock { dates.values.min() } }
}

/// Values seen in the last `window` seconds (at most 50,000), for percentiles.
private final class RecentValues: @unchecked Sendable {
    private let lock = NSLock()
    private let window: TimeInterval
    private var values: [(Date, Double)] = []

    init(window: TimeInterval) { self.window = window }

    func add(_ value: Double, at date: Date) {
        lock.withLock {
            values.append((date, value))
            if values.count > 50_000 { values.removeFirst(values.count - 50_000) }
        }
    }

    func quantile(_ quantile: Double, now: Date) -> Double? {
        lock.withLock {
            let cutoff = now.addingTimeInterval(-window)
            if let first = values.firstIndex(where: { $0.0 >= cutoff }) { values.removeFirst(first) } else { values.removeAll() }
            guard !values.isEmpty else { return nil }
            let sorted = values.map(\.1).sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * quantile).rounded(.up)))]
        }
    }
}
