import Fluent
import Foundation
import SyncEngine
import Vapor

/// A run with every operation, one person across the workspace's connections, and the import
/// where HR picks drafts, sets the import's country and approves them.
extension DashboardRoutes {
    func bootPeople(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.run(), use: runPage)
        routes.on(.GET, page: DashboardPath.person(), use: personPage)
        routes.on(.GET, page: DashboardPath.importPeople(), use: importPage)
        routes.on(.POST, page: DashboardPath.importPeople(), use: approve)
    }

    // MARK: Run

    func runPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let found: (run: RunModel, connection: ConnectionModel)
        do {
            found = try await RunService.find(request.parameters.get(.run, as: UUID.self), workspaceID: user.workspaceID, on: request.db)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardFailure.notFound("run")
        }
        let (run, connection) = found
        let outcome = request.query[String.self, at: "outcome"].flatMap(RunOperationModel.Outcome.init(rawValue:))
        let operations = try await RunService.operations(of: run.requireID(), outcome: outcome, limit: 1000, on: request.db)
        let names = try await ConnectionService.displayNames(of: Set(operations.map(\.personioID)), in: connection.requireID(), on: request.db)
        let view = RunPageView(run: run, connection: connection, operations: operations, names: names, outcome: outcome, zone: zone)
        return Layout.response(Layout.page(title: "Run", user: user, notice: Self.notice(request), view.render()))
    }

    // MARK: Person

    /// An operation and why, without saying the verb twice: the planner's reasons mostly begin with it
    /// ("archived: termination date … has passed"), others do not ("create" for "active: started on …").
    static func operationText(_ kind: RecordedOperationKind, _ reason: String) -> String {
        let text = kind.stored
        let stem = kind == .held(nil) ? "held" : text.hasSuffix("e") ? String(text.dropLast()) : text
        return reason.hasPrefix(stem) ? reason : "\(text): \(reason)"
    }

    /// One person across every connection of the workspace: state, last change, last reason, errors.
    func personPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        guard let personioID = request.parameters.get(.person, as: Int.self) else { throw DashboardFailure.notFound("person") }
        let connections = try await ConnectionService.all(workspaceID: user.workspaceID, byName: true, on: request.db)
            .filter { Preset.named($0.preset)?.direction != .toPersonio }
        let links = try await ConnectionService.links(of: personioID, in: connections.compactMap(\.id), on: request.db)
        let lastOperations = try await RunService.lastOperations(of: personioID, in: connections.compactMap(\.id), on: request.db)
        guard !links.isEmpty || !lastOperations.isEmpty else { throw DashboardFailure.notFound("person") }
        let explaining = request.query[String.self, at: "explain"] != nil
        var rows: [HTML] = []
        // every connection: those that hold the person, and those that skip them, with why
        for connection in connections {
            let connectionID = try connection.requireID()
            let last = lastOperations[connectionID]
            guard let link = links.first(where: { $0.$connection.id == connectionID }) else {
                guard last != nil || explaining else { continue }
                let next = explaining ? await explainCell(connectionID, personioID) : .empty
                rows.append("""
                <tr><td><a href="\(DashboardPath.connection(connectionID))">\(connection.name)</a></td>\
                <td>\(Layout.badge("not sent", "muted"))</td><td>\(Layout.date(try? last?.joined(RunModel.self).startedAt, in: zone))</td>\
                <td>\(last.map { Self.operationText($0.recordedKind, $0.reason) } ?? "—")</td><td></td>\(next)</tr>
                """)
                continue
            }
            let next = explaining ? await explainCell(connectionID, personioID) : .empty
            rows.append("""
            <tr><td><a href="\(DashboardPath.connection(connection.id ?? UUID()))">\(connection.name)</a></td>\
            <td>\(Layout.badge(link.state.rawValue, link.state == .active ? "ok" : link.state == .draft ? "warn" : "muted"))</td>\
            <td>\(Layout.date(link.updatedAt, in: zone))</td><td>\(last.map { Self.operationText($0.recordedKind, $0.reason) } ?? "—")</td>\
            <td>\(link.lastError ?? "")\
            \(link.retryAfter.map { HTML("<br><small>retried after \(Layout.date($0, in: zone))</small>") } ?? .empty)</td>\(next)</tr>
            """)
        }
        let name = links.compactMap(\.displayName).first ?? "Personio #\(personioID)"
        let body: HTML = """
        <p class="muted">Personio employee #\(personioID)</p>
        <div class="table"><table><thead><tr><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Last change</th><th \
        scope="col">Last operation and why</th><th scope="col">Problem</th>\
        \(explaining ? HTML("<th scope=\"col\">Next run would do</th>") : .empty)</tr></thead>
        <tbody>\(rows)</tbody></table></div>
        \(explaining ? HTML("<p class=\"muted\">Read from Personio just now and planned with each connection's rules; nothing was changed.</p>")
                     : HTML("<p><a href=\"\(DashboardPath.person(personioID))?explain=1\">Explain the next run</a>: read this person from Personio ")
                           + HTML("now and show what each connection would do, and why (changes nothing).</p>"))
        """
        return Layout.response(Layout.page(title: name, user: user, body))
    }

    /// What the next run of a connection would do with the person, and why (read from Personio now).
    private func explainCell(_ connectionID: UUID, _ personioID: Int) async -> HTML {
        do {
            let explanation = try await runs.explain(connectionID: connectionID, personioID: personioID)
            let text = explanation.operation.map { Self.operationText(RecordedOperationKind(stored: $0.kind.rawValue), $0.reason) }
                ?? explanation.skipped.map { "nothing: \($0)" } ?? "nothing: up to date"
            let gone: HTML = explanation.goneFromPersonio ? "<br><small>Personio no longer returns this person.</small>" : .empty
            return "<td class=\"explain\">\(text)\(gone)</td>"
        } catch {
            return "<td class=\"explain\">cannot tell: \(ErrorText.explain(error))</td>"
        }
    }

    // MARK: Import and approve

    struct ImportForm: Content {
        var personioIds: [Int]?
        var country: String?
        /// `approve` or `reject`: the button pressed.
        var decision: String?
        /// "Select all on this page" ticked: the people shown (`shown`, comma-separated ids) are chosen.
        var allShown: String?
        var shown: String?

        enum CodingKeys: String, CodingKey {
            case country, decision, shown
            case personioIds = "personio_ids", allShown = "all_shown"
        }

        /// The people chosen: those ticked, or everyone shown when "select all" is ticked.
        var chosen: [Int]? {
            guard allShown != nil else { return personioIds }
            let all = (shown ?? "").split(separator: ",").compactMap { Int($0) }
            return all.isEmpty ? personioIds : all
        }
    }

    static let importPageSize = 50

    func importPage(_ request: Request) async throws -> Response {
        let user = try request.require(.approve)
        let connection = try await connection(request)
        return try await importResponse(request, user: user, connection: connection, form: ImportForm(), error: nil, notice: Self.notice(request))
    }

    private func importResponse(_ request: Request, user: DashboardUser, connection: ConnectionModel, form: ImportForm, error: APIError?,
                                status: HTTPResponseStatus = .ok, notice: Layout.Notice? = nil) async throws -> Response {
        let id = try connection.requireID()
        let search = request.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let page = max(1, min(request.query[Int.self, at: "page"] ?? 1, 100_000))
        let (total, drafts) = try await ApprovalService.undecided(of: id, matching: search,
                                                                  range: ((page - 1) * Self.importPageSize)..<(page * Self.importPageSize),
                                                                  on: request.db)
        let chosen = Set(form.chosen ?? [])
        func pageLink(_ number: Int, _ title: String) -> HTML {
            var items = [URLQueryItem(name: "page", value: String(number))]
            if let search { items.append(URLQueryItem(name: "q", value: search)) }
            var components = URLComponents()
            components.queryItems = items
            return HTML("<a href=\"\(DashboardPath.importPeople(id))\(components.percentEncodedQuery.map { "?" + $0 } ?? "")\">\(title)</a>")
        }
        let first = (page - 1) * Self.importPageSize
        let paging: HTML = total <= Self.importPageSize ? .empty : """
            <nav aria-label="Pages" class="filters" id="import-pages">Showing \(first + 1)–\(first + drafts.count) of \(total) \
            \(page > 1 ? pageLink(page - 1, "Previous") : .empty) \(first + drafts.count < total ? pageLink(page + 1, "Next") : .empty)</nav>
            """
        func message(_ field: String) -> String? { error.flatMap { ($0.field ?? "").hasPrefix(field) ? $0.message : nil } }
        let body: HTML = """
        <p>People in Personio who are not provisioned yet wait here as drafts, marked as coming from Personio. Pick the ones to \
        import, set the country of employment for this import, and approve: the run that follows provisions them.</p>
        <form method="get" action="\(DashboardPath.importPeople(id))" role="search"><label for="q">Search drafts</label> <input id="q" name="q" \
        type="search" value="\(search)"> <button class="secondary">Search</button></form>
        \(error.flatMap { message("personio_ids") == nil && message("country") == nil ? HTML("<p class=\"notice error\" ")
                                                                                        + HTML("role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.importPeople(id))">\(Layout.csrf(user))
        <fieldset><legend>Drafts from Personio (\(total))</legend>
        \(paging)
        \(message("personio_ids").map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? .empty)
        \(drafts.isEmpty ? .empty : HTML("""
            <div><input type="checkbox" id="all_shown" name="all_shown" value="on"\(form.allShown != nil ? HTML(" checked") : .empty)> \
            <label for="all_shown"><strong>Select all \(drafts.count) on this page</strong></label>\
            <input type="hidden" name="shown" value="\(drafts.map { String($0.personioID) }.joined(separator: ","))"></div>
            """))
        \(drafts.isEmpty ? HTML("<p>No drafts waiting.</p>") : drafts.html { draft in
            let fields = (try? draft.fields.map(StoredJSON.fields)) ?? nil
            let title = fields?["job_title"] ?? fields?["position"]
            let start = (fields?["contract_start"] ?? fields?["hire_date"]).map { "starts \($0)" }
            let detail = [fields?["email"], title, start].compactMap { $0 }.joined(separator: " · ")
            return HTML("<div><input type=\"checkbox\" id=\"p\(draft.personioID)\" name=\"personio_ids[]\" value=\"\(draft.personioID)\"")
                       + HTML("\(chosen.contains(draft.personioID) ? HTML(" checked") : .empty)> <label for=\"p\(draft.personioID)\">")
                       + HTML("\(draft.displayName ?? "Personio #\(draft.personioID)") ")
                       + HTML("<small class=\"muted\">\(detail) · from Personio</small></label></div>")
        })
        </fieldset>
        \(Layout.select("Country of employment (this import)", name: "country",
                        options: [(value: "", title: "Choose a country…")] + Countries.choices.map { (value: $0.code, title: $0.title) },
                        selected: form.country?.uppercased() ?? "", error: message("country")))
        <button name="decision" value="approve">Approve selected</button> <button name="decision" value="reject" class="secondary">Reject \
        selected</button></form>
        """
        return Layout.response(Layout.page(title: "Import into \(connection.name)", user: user, notice: notice, body), status: status)
    }

    func approve(_ request: Request) async throws -> Response {
        let user = try request.require(.approve)
        let connection = try await connection(request)
        let form = try request.content.decode(ImportForm.self)
        let approvals = ApprovalService(runs: runs, database: request.db)
        let scope = try request.workspace
        do {
            let input = ApprovalService.Decision(personioIds: form.chosen, country: form.country)
            if form.decision == "reject" {
                _ = try await approvals.reject(input, connection: connection, workspaceID: scope.workspaceID, actor: scope.actor)
                return Self.redirect(request, to: DashboardPath.importPeople(try connection.requireID()), notice: .rejected)
            }
            let result = try await approvals.approve(input, connection: connection, workspaceID: scope.workspaceID, actor: scope.actor)
            let notice: NoticeKey = result.run == nil ? .busy : .approved
            return Self.redirect(request, to: DashboardPath.connection(try connection.requireID()), notice: notice)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await importResponse(request, user: user, connection: connection, form: form, error: shown, status: shown.status)
        }
    }
}
