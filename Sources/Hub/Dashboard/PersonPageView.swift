import Foundation
import SyncEngine

/// One person across the workspace's connections: state, last change, the last operation and why,
/// errors; and (`explaining`) what the next run of each would do.
struct PersonPageView {
    var personioID: Int
    var rows: [Row]
    var explaining: Bool
    var zone: TimeZone

    /// A connection that holds the person (`link`), or that left them alone (`last` says why).
    struct Row {
        var connection: ConnectionModel
        var link: LinkModel?
        var last: RunOperationModel?
        /// What the next run would do (when explaining).
        var next: HTML?
    }

    var name: String { rows.compactMap(\.link?.displayName).first ?? "Personio #\(personioID)" }

    func render() -> HTML {
        """
        <p class="muted">Personio employee #\(personioID)</p>
        <div class="table"><table><thead><tr><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Last change</th><th \
        scope="col">Last operation and why</th><th scope="col">Problem</th>\
        \(explaining ? HTML("<th scope=\"col\">Next run would do</th>") : .empty)</tr></thead>
        <tbody>\(rows.map(row))</tbody></table></div>
        \(explaining ? HTML("<p class=\"muted\">Read from Personio just now and planned with each connection's rules; nothing was changed.</p>")
                     : HTML("<p><a href=\"\(DashboardPath.person(personioID))?explain=1\">Explain the next run</a>: read this person from Personio ")
                           + HTML("now and show what each connection would do, and why (changes nothing).</p>"))
        """
    }

    private func row(_ row: Row) -> HTML {
        let connectionID = row.connection.id ?? UUID()
        let last = row.last.map { DashboardRoutes.operationText($0.recordedKind, $0.reason) } ?? "—"
        let next = row.next ?? .empty
        guard let link = row.link else {
            return """
            <tr><td><a href="\(DashboardPath.connection(connectionID))">\(row.connection.name)</a></td>\
            <td>\(Layout.badge("not sent", "muted"))</td><td>\(Layout.date(try? row.last?.joined(RunModel.self).startedAt, in: zone))</td>\
            <td>\(last)</td><td></td>\(next)</tr>
            """
        }
        return """
        <tr><td><a href="\(DashboardPath.connection(connectionID))">\(row.connection.name)</a></td>\
        <td>\(Layout.badge(link.state.rawValue, link.state == .active ? "ok" : link.state == .draft ? "warn" : "muted"))</td>\
        <td>\(Layout.date(link.updatedAt, in: zone))</td><td>\(last)</td>\
        <td>\(link.lastError ?? "")\
        \(link.retryAfter.map { HTML("<br><small>retried after \(Layout.date($0, in: zone))</small>") } ?? .empty)</td>\(next)</tr>
        """
    }
}
