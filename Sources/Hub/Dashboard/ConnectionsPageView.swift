import Foundation

/// The overview: every connection of the workspace with its status, last sync, people, seats and
/// last run; or, without any, what to do first.
struct ConnectionsPageView {
    var user: DashboardUser
    var summaries: [DashboardRoutes.ConnectionSummary]
    var hasSources: Bool
    var zone: TimeZone

    private func row(_ item: DashboardRoutes.ConnectionSummary) -> HTML {
        let status = item.status
        let seats = item.seatLimit.map { "\(item.people[.active] ?? 0) of \($0)" } ?? "\(item.people[.active] ?? 0), no limit"
        return """
        <tr><td data-label="Connection"><a href="\(DashboardPath.connection(item.id))">\(item.model.name)</a><br><small class="muted">\
        \(item.model.preset) → \(item.model.targetKind.rawValue)</small></td>
        <td data-label="Status">\(Layout.badge(status.label, status.tone))\(status.reason.map { HTML("<br><small>\($0)</small>") } ?? .empty)</td>
        <td data-label="Last sync">\(Layout.date(item.lastRun?.startedAt, in: zone))<br><small class="muted">next \
        \(item.model.paused ? "—" : Layout.date(item.model.nextRunAt, in: zone))</small></td>
        <td data-label="People">\(item.people[.active] ?? 0) active · \(item.people[.archived] ?? 0) archived · \(item.people[.draft] ?? 0) \
        draft</td>
        <td data-label="Seats">\(seats)</td><td data-label="Last run">\
        \(item.lastRun.map { DashboardRoutes.counts(item.lastCounts, skipped: $0.skipped, failed: $0.status == .failed) } ?? "never run")</td></tr>
        """
    }

    func render() -> HTML {
        """
        \(user.may(.manage) ? HTML("<p class=\"actions\"><a href=\"\(DashboardPath.newConnection)\">New connection</a> · <a ")
                              + HTML("href=\"\(DashboardPath.newSource)\">Connect Personio</a></p>") : .empty)
        \(summaries.isEmpty ? HTML("<p>No connections yet. ")
                              + (!hasSources ? "First connect Personio, then create a connection from a preset." : "Create one from a preset.")
                              + HTML("</p>") : """
        <div class="table"><table class="stack"><caption class="muted">Every connection of the workspace</caption><thead><tr><th \
        scope="col">Connection</th><th scope="col">Status</th>\
        <th scope="col">Last sync</th><th scope="col">People</th><th scope="col">Seats</th><th scope="col">Last run</th></tr></thead>
        <tbody>\(summaries.map(row))</tbody></table></div>
        """)
        """
    }
}
