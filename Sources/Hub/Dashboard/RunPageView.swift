import Foundation
import SyncEngine

/// The page of one run: what it did to each person and why, filtered by outcome.
struct RunPageView {
    var run: RunModel
    var connection: ConnectionModel
    /// The run's operations (the first 1,000), with the outcome filter applied.
    var operations: [RunOperationModel]
    /// Display names by Personio id, from the connection's links.
    var names: [Int: String]
    var outcome: RunOperationModel.Outcome?
    var zone: TimeZone

    func render() -> HTML {
        let filters = ([nil] + RunOperationModel.Outcome.allCases.map(Optional.some)).html { option in
            let title = option?.rawValue ?? "all"
            let href = DashboardPath.run(run.id) + (option.map { "?outcome=\($0.rawValue)" } ?? "")
            return option == outcome ? HTML("<strong aria-current=\"page\">\(title)</strong> ") : HTML("<a href=\"\(href)\">\(title)</a> ")
        }
        return """
        <p>\(Layout.badge(run.status.rawValue, run.status == .failed ? "bad" : run.status == .held || run.status == .partial ? "warn" : "ok")) \
        \(run.dryRun ? "Preview (nothing was changed)" : run.full ? "Full run" : "Incremental run") of \
        <a href="\(DashboardPath.connection(connection.id ?? UUID()))">\(connection.name)</a>, \(Layout.date(run.startedAt, in: zone)) → \
        \(Layout.date(run.finishedAt, in: zone)); \(DashboardRoutes.counts(run.operationCounts, skipped: run.skipped)); \
        \(run.personioRequests) Personio request\(run.personioRequests == 1 ? "" : "s").</p>
        \(run.error.map { HTML("<p class=\"notice error\" role=\"alert\">\($0)</p>") } ?? .empty)
        <nav aria-label="Filter by outcome" class="filters">Show: \(filters)</nav>
        <div class="table"><table><thead><tr><th scope="col">Person</th><th scope="col">Operation</th><th scope="col">Reason</th><th \
        scope="col">Outcome</th><th scope="col">Changed</th></tr></thead><tbody>
        \(operations.html { operation in
            HTML("""
            <tr><td><a href="\(DashboardPath.person(operation.personioID))">\
            \(names[operation.personioID] ?? "Personio #\(operation.personioID)")</a></td>\
            <td>\(operation.kind)</td><td>\(operation.reason)</td><td>\
            \(Layout.badge(operation.outcome.rawValue, operation.outcome == .failed ? "bad" : operation.outcome == .held ? "warn" : "ok"))\
            \(operation.errorExplanation.map { HTML("<br><small>\($0)</small>") } ?? .empty)</td><td>\
            \(operation.changedFields.joined(separator: ", "))</td></tr>
            """)
        })</tbody></table></div>
        \(!operations.isEmpty ? .empty : outcome.map { HTML("<p>No operations with outcome \($0.rawValue).</p>") }
            ?? (run.status == .failed ? HTML("<p>No operations: the run failed before it planned anyone.</p>")
                : HTML("<p>No operations: everyone was up to date.</p>")))
        """
    }
}
