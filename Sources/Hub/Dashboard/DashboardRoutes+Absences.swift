import Fluent
import Foundation
import PersonioAPI
import Vapor

/// Absence pushes: the list with each absence's status, and the kind → Personio type picker per source.
extension DashboardRoutes {
    func bootAbsences(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.absences, use: absencesPage)
        routes.on(.GET, page: DashboardPath.absenceKinds(), use: kindsPage)
        routes.on(.POST, page: DashboardPath.absenceKinds(), use: saveKinds)
    }

    func absencesPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let status = request.query[String.self, at: "status"].flatMap(AbsenceModel.Status.init(rawValue:))
        let rows = try await AbsenceService(database: request.db, environment: environment).all(workspaceID: user.workspaceID, status: status)
            .limit(500).all()
        let sources = try await sources(request).all(workspaceID: user.workspaceID)
        let filters = ([nil] + AbsenceModel.Status.allCases.map(Optional.some)).html { option in
            let title = option?.rawValue ?? "all"
            return option == status ? HTML("<strong aria-current=\"page\">\(title)</strong> ")
                : HTML("<a href=\"\(DashboardPath.absences)\(option.map { "?status=\($0.rawValue)" } ?? "")\">\(title)</a> ")
        }
        let body: HTML = """
        <p>Absences the time tracker pushed into Personio. Kinds are mapped to Personio's absence types per source: \
        \(sources.html { source in HTML("<a href=\"\(DashboardPath.absenceKinds(source.id ?? UUID()))\">\(source.name)</a> ") })</p>
        <nav aria-label="Filter by status">Show: \(filters)</nav>
        <div class="table"><table><thead><tr><th scope="col">Absence</th><th scope="col">Person</th><th scope="col">Kind</th><th \
        scope="col">Dates</th><th scope="col">Status</th><th scope="col">Updated</th></tr></thead><tbody>
        \(rows.html { row in
            let tone = row.status == .written ? "ok" : row.status == .failed ? "bad" : row.status == .pending ? "warn" : "muted"
            let times = row.startTime.map { " \($0)–\(row.endTime ?? "")" } ?? ""
            let retry: HTML = row.retryAt.map { HTML("<br><small>next try \(Layout.date($0, in: zone))</small>") } ?? .empty
            let problem: HTML = row.error.map { HTML("<br><small>\($0)</small>") } ?? .empty
            return HTML("<tr><td>\(row.externalID)</td><td>#\(row.employeeID)</td><td>\(row.kind)</td>")
                       + HTML("<td>\(row.startDate.description) – \(row.endDate.description)")
                       + HTML("\(times)</td><td>\(Layout.badge(row.status.rawValue, tone))\(problem)\(retry)</td>")
                       + HTML("<td>\(Layout.date(row.updatedAt, in: zone))</td></tr>")
        })</tbody></table></div>
        \(rows.isEmpty ? HTML("<p>No absences\(status.map { " with status \($0.rawValue)" } ?? "") yet.</p>") : .empty)
        """
        return Layout.response(Layout.page(title: "Absences", user: user, notice: Self.notice(request), body))
    }

    func kindsPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let source = try await self.source(request)
        let rows = try await AbsenceKindService(environment: environment, database: request.db).kinds(of: source)
        return try await kindsResponse(request, user: user, source: source, pairs: rows.map { ($0.kind, String($0.timeOffTypeID)) }, error: nil)
    }

    private func kindsResponse(_ request: Request, user: DashboardUser, source: SourceModel, pairs: [(kind: String, type: String)], error: APIError?,
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let types = try await AbsenceKindService(environment: environment, database: request.db).personioTypes(source)
        let options = [("", "— not mapped —")] + types.map { (String($0.id), "\($0.name) (\($0.unit == .hour ? "hours" : "days"))") }
        let shown = pairs + Array(repeating: (kind: "", type: ""), count: 3)
        let editable = user.may(.manage)
        let body: HTML = """
        <p>Which Personio absence type each kind the app sends is written as. Day types go to Personio's time-offs, hour types to its absence \
        periods.</p>
        \(error.map { HTML("<p class=\"notice error\" role=\"alert\" ")
                      + HTML("id=\"kinds-error\">\($0.field.map { "\($0): " } ?? "")\($0.message)</p>") } ?? .empty)
        <form method="post" action="\(DashboardPath.absenceKinds(try source.requireID()))">\(Layout.csrf(user))
        <div class="table"><table><thead><tr><th scope="col">Kind the app sends</th><th scope="col">Personio absence type</th></tr></thead><tbody>
        \(shown.enumerated().html { index, pair in
            HTML("""
            <tr><td><label class="muted" for="kind\(index)">Kind \(index + 1)</label><input id="kind\(index)" name="kind[]" type="text" value="\
            \(pair.kind)"\(editable ? .empty : HTML(" disabled"))></td>\
            <td><label class="muted" for="type\(index)">Type \(index + 1)</label><select id="type\(index)" name="type[]"\
            \(editable ? .empty : HTML(" disabled"))>\
            \(options.html { option in
                HTML("<option value=\"\(option.0)\"\(option.0 == pair.type ? HTML(" selected") : .empty)>\(option.1)</option>")
            })</select></td></tr>
            """)
        })</tbody></table></div>
        \(editable ? HTML("<button>Save mapping</button>") : .empty)</form>
        """
        return Layout.response(Layout.page(title: "Absence kinds for \(source.name)", user: user, notice: Self.notice(request), body), status: status)
    }

    struct KindsForm: Content {
        var kind: [String]?
        var type: [String]?
    }

    func saveKinds(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let source = try await self.source(request)
        let form = try request.content.decode(KindsForm.self)
        let pairs = zip(form.kind ?? [], form.type ?? []).map { (kind: $0.trimmingCharacters(in: .whitespaces), type: $1) }
            .filter { !$0.kind.isEmpty || !$0.type.isEmpty }
        do {
            var kinds: [String: Int] = [:]
            for pair in pairs {
                guard !pair.kind.isEmpty else { throw APIError.invalid("kind", "a Personio type is chosen without a kind name") }
                guard let id = Int(pair.type) else { throw APIError.invalid("kinds.\(pair.kind)", "choose the Personio type for \(pair.kind)") }
                guard kinds[pair.kind] == nil else { throw APIError.invalid("kinds.\(pair.kind)", "\(pair.kind) is listed twice") }
                kinds[pair.kind] = id
            }
            let scope = try request.workspace
            try await AbsenceKindService(environment: environment, database: request.db).setKinds(kinds, source: source,
                                                                                                  workspaceID: scope.workspaceID,
                                                                                        actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.absenceKinds(try source.requireID()), notice: .saved)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await kindsResponse(request, user: user, source: source, pairs: pairs, error: shown, status: shown.status)
        }
    }
}
