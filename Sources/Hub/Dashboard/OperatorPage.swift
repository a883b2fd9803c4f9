import Crypto
import Foundation
import Vapor

/// `/operator`: the hub's own health for its operator, in the browser — the instances sharing the
/// database, the backlog of due connections and how late runs start. The browser asks for the admin
/// token (HTTP Basic: any user name, the token as password); without `ROLLCALL_ADMIN_TOKEN` the page
/// is off and says how to turn it on.
struct OperatorPage: RouteCollection {
    let adminDigest: SHA256.Digest?
    let health: HubHealthService

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(DashboardErrorMiddleware()).on(.GET, page: DashboardPath.operatorHealth, use: show)
    }

    func show(_ request: Request) async throws -> Response {
        guard let adminDigest else {
            return Layout.errorPage(request, status: .forbidden, title: "Operator page off",
                                    message: "Set ROLLCALL_ADMIN_TOKEN (at least 24 characters) and restart the hub to see its health here.")
        }
        guard let password = request.headers.basicAuthorization?.password,
              SHA256.hash(data: Data(password.utf8)) == adminDigest else {
            let response = Layout.errorPage(request, status: .unauthorized, title: "Operator sign-in",
                                            message: "Enter any user name and the hub's admin token (ROLLCALL_ADMIN_TOKEN) as the password.")
            response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Basic realm=\"Rollcall operator\", charset=\"UTF-8\"")
            return response
        }
        let report = try await health.report()
        let now = health.now()
        let zone = TimeZone(identifier: "UTC") ?? .current
        let alive = report.instances.filter(\.alive)
        let body: HTML = """
        <p class="muted">The hub's own health, as of \(Layout.date(now, in: zone)) (UTC). Reload to refresh. \
        Each instance reports every 5 s; one silent for a minute is shown as gone, and forgotten after a day.</p>
        <div class="cards">
        <div class="card"><span class="muted">Instances running</span><strong>\(alive.count)</strong></div>
        <div class="card"><span class="muted">Connections</span><strong>\(report.connections)</strong></div>
        <div class="card"><span class="muted">Syncing now</span><strong>\(report.running)</strong></div>
        <div class="card"><span class="muted">Due, waiting</span><strong>\(report.waiting)</strong></div>
        <div class="card"><span class="muted">Longest wait</span><strong>\(Self.seconds(report.oldestWaitingSeconds))</strong></div>
        <div class="card"><span class="muted">Paused</span><strong>\(report.paused)</strong></div>
        </div>
        \(report.waiting > 0 && report.oldestWaitingSeconds > 60 ? HTML("""
        <p class="notice error" role="alert">Connections wait more than a minute past their time: the instances cannot keep up. \
        Raise ROLLCALL_SYNC_CONCURRENCY if the CPU is idle, or add an instance on PostgreSQL.</p>
        """) : .empty)
        <h2>Instances</h2>
        \(report.instances.isEmpty ? HTML("<p class=\"muted\">No instance has reported yet (instances report while their scheduler ")
                                     + HTML("runs).</p>") : HTML("""
        <div class="table"><table><thead><tr><th scope="col">Instance</th><th scope="col">State</th><th scope="col">Started</th>\
        <th scope="col">Last seen</th><th scope="col">Syncing</th><th scope="col">Start lag p50 / p95 (5 min)</th></tr></thead><tbody>
        \(report.instances.html { instance in
            HTML("""
            <tr><td>\(instance.name)</td><td>\(instance.alive ? Layout.badge("running", "ok") : Layout.badge("gone", "bad"))</td>\
            <td>\(Layout.date(instance.startedAt, in: zone))</td><td>\(Self.seconds(now.timeIntervalSince(instance.seenAt))) ago</td>\
            <td>\(instance.runsInFlight) of \(instance.concurrency)</td>\
            <td>\(instance.scheduleLagP50.map(Self.seconds) ?? "–") / \(instance.scheduleLagP95.map(Self.seconds) ?? "–")</td></tr>
            """)
        })</tbody></table></div>
        """))
        <p class="muted">The same figures per instance are on <a href="/metrics">/metrics</a> for Prometheus, and as JSON at \
        <code>GET /api/v1/hub/health</code> with the admin token.</p>
        """
        return Layout.response(Layout.page(title: "Hub health", user: nil, body))
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : value < 120 ? String(format: "%.0f s", value) : String(format: "%.0f min", value / 60)
    }
}
