import Foundation
import Prometheus

/// What `/metrics` reports, in Prometheus' text format: runs, operations, errors, Personio requests
/// and 429s, and the sync lag (seconds since the connection that has waited longest last synced).
public final class HubMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let personioRequests: Counter
    private let personioRateLimited: Counter
    private let lag: Gauge
    private let lastSuccess = LastSuccess()

    public init() {
        personioRequests = registry.makeCounter(descriptor: Self.name("personio_requests", "total", "Requests sent to Personio by sync runs."))
        personioRateLimited = registry.makeCounter(descriptor: Self.name(
            "personio_rate_limited", "total", "429 answers Personio gave sync runs (each was waited out and retried)."))
        lag = registry.makeGauge(descriptor: Self.name(
            "sync_lag", "seconds", "Seconds since the connection that has waited longest last synced successfully."))
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
            registry.makeCounter(descriptor: Self.name("run_errors", "total", "Runs that failed or partly failed (Personio unreachable, an app refusing people, …)."))
                .increment()
        }
        personioRequests.increment(by: Int64(requests))
        personioRateLimited.increment(by: Int64(rateLimited))
        if report.status == .succeeded || report.status == .held, !report.dryRun {
            lastSuccess.set(report.connectionID, report.finishedAt)
        }
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rollcall", metricName: metric, unitName: unit, helpText: help)
    }

    /// The text to serve; the lag is computed for `now`.
    public func render(now: Date) -> String {
        if let oldest = lastSuccess.oldest() { lag.set(max(0, now.timeIntervalSince(oldest))) }
        return registry.emitToString()
    }
}

private final class LastSuccess: @unchecked Sendable {
    private let lock = NSLock()
    private var dates: [UUID: Date] = [:]

    func set(_ connection: UUID, _ date: Date) { lock.withLock { dates[connection] = date } }
    func oldest() -> Date? { lock.withLock { dates.values.min() } }
}
