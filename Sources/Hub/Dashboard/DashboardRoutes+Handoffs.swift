import Fluent
import Foundation
import Vapor

/// Hand-offs from recruiting: the list with status, and the review form that sends a hire to
/// Personio once; afterwards the page shows who sent it and when, and no button.
extension DashboardRoutes {
    func bootHandoffs(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.handoffs, use: handoffsPage)
        routes.on(.GET, page: DashboardPath.newHandoff, use: reviewPage)
        routes.on(.POST, page: DashboardPath.handoffs, use: sendHandoff)
        routes.on(.GET, page: DashboardPath.handoff(), use: handoffPage)
    }

    func handoffsPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let rows = try await HandoffService(environment: environment, database: request.db).all(workspaceID: user.workspaceID).limit(500).all()
        let body: HTML = """
        \(user.may(.approve) ? HTML("<p class=\"actions\"><a href=\"\(DashboardPath.newHandoff)\">Review a hire</a></p>") : .empty)
        <div class="table"><table><thead><tr><th scope="col">Candidate</th><th scope="col">Status</th><th scope="col">Personio id</th><th \
        scope="col">Sent by</th><th scope="col">When</th></tr></thead><tbody>
        \(rows.html { row in
            HTML("<tr><td><a href=\"\(DashboardPath.handoff(row.candidateID))\">\(row.candidateID)</a></td><td>")
                + HTML("\(Layout.badge(row.status.rawValue, row.status == .sent ? "ok" : row.status == .failed ? "bad" : "warn"))")
                + HTML("\(row.error.map { HTML("<br><small>\($0)</small>") } ?? .empty)</td><td>\(row.personioID.map(String.init) ?? "—")</td><td>")
                + HTML("\(row.sentBy)</td><td>\(Layout.date(row.sentAt, in: zone))</td></tr>")
        })</tbody></table></div>
        """
        return Layout.response(Layout.page(title: "Hand-offs", user: user, notice: Self.notice(request), body))
    }

    func handoffPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let row: HandoffModel
        do {
            row = try await HandoffService(environment: environment, database: request.db)
                .find(candidateID: request.parameters.get(.candidate) ?? "", workspaceID: user.workspaceID)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardFailure.notFound("hand-off")
        }
        // the employee in Personio, linked when the source has its Personio address
        let web = (try? await SourceService.find(row.sourceID, workspaceID: user.workspaceID, on: request.db))?.webURL
        let employee: HTML = row.personioID.map { id in
            web.map { HTML("<a href=\"\($0)/staff/details/\(id)\" rel=\"noopener\">employee #\(id) in Personio</a>") } ?? HTML("employee #\(id)")
        } ?? "employee —"
        let marker: HTML = row.status == .sent
            ? "<p class=\"notice success\" role=\"status\" id=\"handoff-marker\">Sent to Personio by "
              + "\(row.sentBy) on \(Layout.date(row.sentAt, in: zone)): \(employee).</p>"
            : "<p class=\"notice error\" role=\"alert\" id=\"handoff-marker\">\(row.status.rawValue): \(row.error ?? "not sent yet")</p>"
        return Layout.response(Layout.page(title: "Hand-off \(row.candidateID)", user: user, notice: Self.notice(request), marker))
    }

    static let handoffFields: [(name: String, label: String, type: String, required: Bool)] = [
        ("candidate_id", "Candidate id (in the recruiting tool)", "text", true), ("first_name", "First name", "text", true),
        ("last_name", "Last name", "text", true), ("email", "Work e-mail", "email", true), ("position", "Position", "text", true),
        ("department", "Department", "text", false), ("office", "Office", "text", false), ("hire_date", "Hire date", "date", false),
        ("supervisor_email", "Supervisor's e-mail", "email", false),
    ]

    /// The review form, pre-filled from the query (a recruiting tool can link here with the fields).
    /// A candidate sent before gets their hand-off instead: a hire is sent only once.
    func reviewPage(_ request: Request) async throws -> Response {
        let user = try request.require(.approve)
        if let candidate = request.query[String.self, at: "candidate_id"]?.trimmingCharacters(in: .whitespaces), !candidate.isEmpty,
           let sent = try? await HandoffService(environment: environment, database: request.db).find(candidateID: candidate,
                                                                                                     workspaceID: user.workspaceID),
           sent.status == .sent {
            return Self.redirect(request, to: DashboardPath.handoff(sent.candidateID), notice: .alreadySent)
        }
        var values: [String: String] = [:]
        for field in Self.handoffFields { values[field.name] = request.query[String.self, at: field.name] }
        values["source_id"] = request.query[String.self, at: "source_id"]
        return try await reviewResponse(request, user: user, values: values, error: nil)
    }

    private func reviewResponse(_ request: Request, user: DashboardUser, values: [String: String], error: APIError?,
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let sources = try await self.sources(request).all(workspaceID: user.workspaceID)
        let body: HTML = """
        <p>Check the fields, then send. A candidate is created in Personio once: sending again shows the first result.</p>
        \(error.flatMap { $0.field == nil ? HTML("<p class=\"notice error\" role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.handoffs)">\(Layout.csrf(user))
        \(Layout.select("Personio source", name: "source_id", options: try sources.map { (try $0.requireID().uuidString, $0.name) },
                        selected: values["source_id"], error: error?.field == "source_id" ? error?.message : nil))
        \(Self.handoffFields.html { field in
            Layout.field(field.label, name: field.name, value: values[field.name], type: field.type,
                         error: error?.field == field.name ? error?.message : nil, required: field.required)
        })
        <button>Send to Personio</button>\
        \(error?.code == "employee_exists" ? HTML(" <button name=\"link_existing\" value=\"true\" class=\"secondary\">Link to the existing ")
                                             + HTML("employee</button>") : .empty)\
        </form>
        """
        return Layout.response(Layout.page(title: "Review a hire", user: user, body), status: status)
    }

    func sendHandoff(_ request: Request) async throws -> Response {
        let user = try request.require(.approve)
        var values: [String: String] = [:]
        for name in Self.handoffFields.map(\.name) + ["source_id"] {
            values[name] = (try? request.content.get(String.self, at: name))?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        }
        var input = HandoffService.Request()
        input.sourceID = values["source_id"].flatMap(UUID.init(uuidString:))
        input.candidateID = values["candidate_id"]
        input.firstName = values["first_name"]
        input.lastName = values["last_name"]
        input.email = values["email"]
        input.position = values["position"]
        input.department = values["department"]
        input.office = values["office"]
        input.hireDate = values["hire_date"]
        input.supervisorEmail = values["supervisor_email"]
        input.sentBy = "\(user.name) <\(user.email)>"
        input.linkExisting = (try? request.content.get(String.self, at: "link_existing")) == "true"
        do {
            let result = try await HandoffService(environment: environment, database: request.db)
                .handOff(input, workspaceID: try request.workspace.workspaceID)
            return Self.redirect(request, to: DashboardPath.handoff(result.handoff.candidateID),
                                 notice: result.outcome == .repeated ? .alreadySent : .sent)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await reviewResponse(request, user: user, values: values, error: shown, status: shown.status)
        }
    }
}
