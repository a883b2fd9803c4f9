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
        var rows: [PersonPageView.Row] = []
        // every connection: those that hold the person, and those that skip them, with why
        for connection in connections {
            let connectionID = try connection.requireID()
            let link = links.first { $0.$connection.id == connectionID }
            let last = lastOperations[connectionID]
            guard link != nil || last != nil || explaining else { continue }
            rows.append(PersonPageView.Row(connection: connection, link: link, last: last,
                                           next: explaining ? await explainCell(connectionID, personioID) : nil))
        }
        let view = PersonPageView(personioID: personioID, rows: rows, explaining: explaining, zone: zone)
        return Layout.response(Layout.page(title: view.name, user: user, view.render()))
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
        let view = ImportPageView(user: user, connectionID: id, search: search, page: page, pageSize: Self.importPageSize, total: total,
                                  drafts: drafts, form: form, error: error)
        return Layout.response(Layout.page(title: "Import into \(connection.name)", user: user, notice: notice, view.render()), status: status)
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
