import Fluent
import Foundation
import SyncEngine
import Vapor

/// The connections overview, one connection's page, and what can be done to it.
extension DashboardRoutes {
    func bootConnections(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.connections, use: connectionsPage)
        routes.on(.GET, page: DashboardPath.newConnection, use: newConnectionPage)
        routes.on(.POST, page: DashboardPath.connections, use: createConnection)
        routes.on(.GET, page: DashboardPath.connection(), use: connectionPage)
        routes.on(.GET, page: DashboardPath.connectionSettings(), use: settingsPage)
        routes.on(.POST, page: DashboardPath.connectionSettings(), use: saveSettings)
        routes.on(.GET, page: DashboardPath.connectionMapping(), use: mappingPage)
        routes.on(.POST, page: DashboardPath.connectionMapping(), use: saveMapping)
        routes.on(.POST, page: DashboardPath.connectionMappingPreview(), use: previewMapping)
        routes.on(.GET, page: DashboardPath.connectionScope(), use: scopePage)
        routes.on(.POST, page: DashboardPath.connectionScope(), use: saveScope)
        routes.on(.POST, page: DashboardPath.connectionScopeCount(), use: countScope)
        for action in DashboardPath.ConnectionAction.allCases {
            routes.on(.POST, page: DashboardPath.connectionAction(nil, action)) { request in
                try await self.act(request, action)
            }
        }
        routes.on(.POST, page: DashboardPath.held(), use: decideHeld)
    }

    // MARK: Overview

    /// One connection as the overview and its page show it.
    struct ConnectionSummary {
        var model: ConnectionModel
        var id: UUID
        var people: [LinkState: Int]
        var lastRun: RunModel?
        var heldBatches: Int
        var seatLimit: Int?
        var syncing: Bool

        /// connected, syncing, held, failing or partly failing (with the reason), fields kept, or paused.
        var status: (label: String, tone: String, reason: String?) {
            if model.paused { return ("paused", "muted", nil) }
            if syncing { return ("syncing", "warn", nil) }
            if let blocked = model.blockedNotice { return ("blocked", "bad", blocked) }
            if heldBatches > 0 { return ("held", "warn", "The deletion brake held a batch; release or discard it.") }
            if let error = model.lastError {
                // some people failed (each explained on the run) while the others went through
                return lastRun?.status == .partial ? ("partly failing", "warn", error) : ("failing", "bad", error)
            }
            let sharing = model.sharing
            if !sharing.withheld.isEmpty {
                return ("fields kept", "warn", "Personio stopped sharing \(sharing.withheld.keys.sorted().joined(separator: ", ")); fields kept.")
            }
            return ("connected", "ok", nil)
        }

        var lastCounts: [String: Int] { lastRun?.operationCounts ?? [:] }
    }

    /// The connections as the overview and a connection's page show them; the people are counted for
    /// all of them in one grouped query.
    func summaries(_ models: [ConnectionModel], on database: any Database, now: Date) async throws -> [ConnectionSummary] {
        let people = try await ConnectionService(database: database, environment: environment).peopleByState(models.compactMap(\.id))
        var summaries: [ConnectionSummary] = []
        for model in models { summaries.append(try await summary(model, people: people[try model.requireID()] ?? [:], on: database, now: now)) }
        return summaries
    }

    private func summary(_ model: ConnectionModel, people: [LinkState: Int], on database: any Database, now: Date) async throws -> ConnectionSummary {
        let id = try model.requireID()
        var people = people
        for state in LinkState.allCases where people[state] == nil { people[state] = 0 }
        let lastRun = try await RunService.lastRun(of: id, on: database)
        let held = try await HeldBatchService(database: database, now: environment.now).heldCount(of: id)
        let rules = try? model.connectionRules()
        let syncing = model.leaseOwner != nil && (model.leaseExpiresAt ?? .distantPast) > now
        return ConnectionSummary(model: model, id: id, people: people, lastRun: lastRun, heldBatches: held,
                                 seatLimit: rules?.policy.seatLimit, syncing: syncing)
    }

    /// A run's operations in words; people it skipped are always said ("nothing to do" only when nobody was).
    /// A failed run never says "nothing to do": it sent nothing because it failed.
    static func counts(_ counts: [String: Int], skipped: Int = 0, failed: Bool = false) -> String {
        let done = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let left = skipped == 0 ? "" : "\(skipped) skipped"
        switch (done.isEmpty, left.isEmpty) {
        case (true, true): return failed ? "nothing sent" : "nothing to do"
        case (true, false): return "nothing sent, " + left
        case (false, true): return done
        case (false, false): return done + ", " + left
        }
    }

    func connectionsPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let models = try await ConnectionService.all(workspaceID: user.workspaceID, on: request.db)
        let summaries = try await self.summaries(models, on: request.db, now: environment.now())
        let sources = try await self.sources(request).all(workspaceID: user.workspaceID).count
        let view = ConnectionsPageView(user: user, summaries: summaries, hasSources: sources > 0, zone: zone)
        return Layout.response(Layout.page(title: "Connections", user: user, notice: Self.notice(request), view.render()))
    }

    // MARK: New connection

    struct ConnectionForm: Content {
        var name: String?
        var sourceId: UUID?
        var preset: String?
        var target: String?
        var seatLimit: String?
        var scimBaseURL: String?
        var scimToken: String?

        enum CodingKeys: String, CodingKey {
            case name, preset, target
            case sourceId = "source_id", seatLimit = "seat_limit", scimBaseURL = "scim_base_url", scimToken = "scim_token"
        }
    }

    func newConnectionPage(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        return try await connectionForm(request, user: user, form: ConnectionForm(), error: nil)
    }

    private func connectionForm(_ request: Request, user: DashboardUser, form: ConnectionForm, error: APIError?,
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let sources = try await self.sources(request).all(workspaceID: user.workspaceID)
        guard !sources.isEmpty else {
            return Layout.response(Layout.page(title: "New connection", user: user, """
                <p>Connect Personio first: a connection reads its people from a source.</p><p><a href="\(DashboardPath.newSource)">Connect \
                Personio</a></p>
                """))
        }
        func message(_ field: String) -> String? { error?.field == field ? error?.message : nil }
        let presets = Preset.all.filter { $0.direction == .fromPersonio }
        let body: HTML = """
        \(error.flatMap { $0.field == nil ? HTML("<p class=\"notice error\" role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.connections)">\(Layout.csrf(user))
        \(Layout.select("Personio source", name: "source_id", options: try sources.map { (try $0.requireID().uuidString, $0.name) },
                        selected: form.sourceId?.uuidString, error: message("source_id")))
        \(Layout.select("Preset (what the app needs)", name: "preset", options: presets.map { ($0.id, "\($0.title) (\($0.id))") },
                        selected: form.preset, error: message("preset")))
        \(Layout.field("Name", name: "name", value: form.name, error: message("name"),
                       help: "Shown on the dashboard; the preset's title when empty."))
        \(Layout.select("Target", name: "target", options: [(TargetKind.feed.rawValue, "Change feed (the app reads the API)"),
                                                            (TargetKind.scim.rawValue, "SCIM 2.0 app")],
                        selected: form.target, error: message("target")))
        \(Layout.field("Seat limit", name: "seat_limit", value: form.seatLimit, type: "number", error: message("seat_limit"),
                       help: "Optional: at most this many active people in the app."))
        <fieldset><legend>SCIM app (only for the SCIM target)</legend>
        \(Layout.field("SCIM base URL", name: "scim_base_url", value: form.scimBaseURL, type: "url", error: message("scim.base_url"),
                       help: "e.g. https://app.example/scim/v2"))
        \(Layout.field("SCIM token", name: "scim_token", type: "password", error: message("scim.token"),
                       help: "Stored encrypted; never shown again."))
        </fieldset><button>Create connection</button></form>
        """
        return Layout.response(Layout.page(title: "New connection", user: user, body), status: status)
    }

    func createConnection(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let form = try request.content.decode(ConnectionForm.self)
        var input = ConnectionInput()
        input.sourceID = form.sourceId
        input.preset = form.preset
        input.name = form.name?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        input.target = form.target
        do {
            input.seatLimit = try Self.seatLimit(form.seatLimit)
            if form.target == TargetKind.scim.rawValue {
                input.scim = SCIMInput(baseURL: form.scimBaseURL, token: form.scimToken)
            }
            let scope = try request.workspace
            let connection = try await connections(request).create(input, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connection(try connection.requireID()), notice: .created)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await connectionForm(request, user: user, form: form, error: shown, status: shown.status)
        }
    }

    // MARK: One connection

    func connectionPage(_ request: Request) async throws -> Response {
        try await connectionResponse(request, model: try await connection(request))
    }

    private func connectionResponse(_ request: Request, model: ConnectionModel, deleteError: String? = nil,
                                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        guard let item = try await summaries([model], on: request.db,
                                             now: environment.now()).first else { throw DashboardFailure.notFound("connection") }
        let runs = try await RunService.latest(of: item.id, limit: 30, on: request.db)
        let heldBatches = try await HeldBatchService(database: request.db, now: environment.now).held(of: item.id)
        let held = heldBatches.map(\.batch)
        var heldPeople: [UUID: [RunOperationModel]] = [:]
        for (batch, people) in heldBatches { heldPeople[try batch.requireID()] = people }
        let heldIDs = Set(heldPeople.values.flatMap { $0.map(\.personioID) })
        let heldNames = heldIDs.isEmpty ? [:] : try await ConnectionService.displayNames(of: heldIDs, in: item.id, on: request.db)
        let search = request.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let links = try await ConnectionService.people(of: item.id, matching: search, limit: 200, on: request.db)
        let source = try? await SourceService.find(model.$source.id, workspaceID: user.workspaceID, on: request.db)
        let rules = try? model.connectionRules()
        let page = ConnectionPageView(user: user, item: item, zone: zone, runs: runs, held: held, heldPeople: heldPeople, heldNames: heldNames,
                                      links: links,
                                      search: search, sourceName: source?.name ?? "—", requiresApproval: rules?.policy.requiresApproval ?? false,
                                      scimBaseURL: try? Self.scimBaseURL(model), scimOmitted: Self.scimOmitted(model),
                                      scimCompatibility: (try? Self.scimSettings(model))??.effectiveCompatibility.summary ?? [],
                                      deleteError: deleteError)
        return Layout.response(Layout.page(title: model.name, user: user, notice: Self.notice(request), page.render()), status: status)
    }

    func act(_ request: Request, _ action: DashboardPath.ConnectionAction) async throws -> Response {
        _ = try request.require(action == .delete ? .own : .manage)
        let model = try await connection(request)
        let id = try model.requireID()
        switch action {
        case .sync, .preview:
            do {
                let full = (try? request.content.get(Bool.self, at: "full")) == true ? true : nil
                let report = try await runs.runNow(id, full: full, dryRun: action == .preview)
                return Self.redirect(request, to: DashboardPath.run(report.runID), notice: action == .preview ? .previewed : .synced)
            } catch SyncError.busy {
                return Self.redirect(request, to: DashboardPath.connection(id), notice: .busy)
            }
        case .pause, .resume:
            let scope = try request.workspace
            try await connections(request).setPaused(model, action == .pause, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connection(id), notice: action == .pause ? .paused : .resumed)
        case .acceptWithheld:
            let attributes = Array(model.sharing.withheld.keys)
            let scope = try request.workspace
            try await connections(request).acceptWithheld(attributes, of: model, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connection(id), notice: .accepted)
        case .delete:
            let typed = (try? request.content.get(String.self, at: "confirm"))?.trimmingCharacters(in: .whitespaces)
            guard typed == model.name else {
                return try await connectionResponse(request, model: model,
                                                    deleteError: "Type the connection's name exactly (\(model.name)) to delete it.",
                                                    status: .unprocessableEntity)
            }
            let scope = try request.workspace
            try await connections(request).delete(model, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connections, notice: .deleted)
        }
    }

    func decideHeld(_ request: Request) async throws -> Response {
        _ = try request.require(.manage)
        guard let id = request.parameters.get(.batch, as: UUID.self) else { throw DashboardFailure.notFound("held batch") }
        let decision: HeldBatchModel.Status
        switch request.parameters.get(.decision) {
        case "release": decision = .released
        case "discard": decision = .discarded
        default: throw DashboardFailure.notFound("page")
        }
        let batch: HeldBatchModel
        do {
            let scope = try request.workspace
            batch = try await HeldBatchService(database: request.db, now: environment.now).decide(batchID: id, decision,
                                                                                                  workspaceID: scope.workspaceID,
                                                                                          actor: scope.actor)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardFailure.notFound("held batch")
        }
        return Self.redirect(request, to: DashboardPath.connection(batch.$connection.id), notice: decision == .released ? .released : .discarded)
    }
}

/// The page of one connection: status, people, held batches, runs (with a chart) and actions.
struct ConnectionPageView {
    var user: DashboardUser
    var item: DashboardRoutes.ConnectionSummary
    var zone: TimeZone
    var runs: [RunModel]
    var held: [HeldBatchModel]
    var heldPeople: [UUID: [RunOperationModel]]
    var heldNames: [Int: String]
    var links: [LinkModel]
    var search: String?
    var sourceName: String
    var requiresApproval: Bool
    var scimBaseURL: String?
    /// What the SCIM app does not declare, left out of every user.
    var scimOmitted: [String] = []
    /// The SCIM compatibility settings in force, in words.
    var scimCompatibility: [String] = []
    var deleteError: String?

    /// When the whole list is read next: the finding of people removed in Personio.
    var nextFull: String {
        guard let due = SyncRunner.nextFullListing(after: item.model.lastFullAt, interval: item.model.fullInterval, timeZone: zone),
              due > (item.model.nextRunAt ?? .distantPast) else { return "with the next run" }
        return "due \(Layout.date(due, in: zone))"
    }

    /// Sync, preview, pause and the settings pages (managers); the import page (approvers).
    private var actions: HTML {
        let id = item.id
        return user.may(.manage) ? """
            <div class="actions">\(Layout.button("Sync now", action: DashboardPath.connectionAction(id, .sync), user: user))\
            \(Layout.button("Full sync now", action: DashboardPath.connectionAction(id, .sync), user: user, style: "secondary",
                            fields: HTML(raw: "<input type=\"hidden\" name=\"full\" value=\"true\">")))\
            \(Layout.button("Preview", action: DashboardPath.connectionAction(id, .preview), user: user, style: "secondary"))\
            \(item.model.paused ? Layout.button("Resume", action: DashboardPath.connectionAction(id, .resume), user: user, style: "secondary")
                                : Layout.button("Pause", action: DashboardPath.connectionAction(id, .pause), user: user, style: "secondary"))\
            <a href="\(DashboardPath.connectionSettings(id))">Settings</a> <a href="\(DashboardPath.connectionMapping(id))">Mapping</a> \
            <a href="\(DashboardPath.connectionScope(id))">Scope</a>\
            \(requiresApproval && user.may(.approve) ? HTML("<a href=\"\(DashboardPath.importPeople(id))\">Import and approve ")
                                                       + HTML("people</a>") : .empty)</div>
            """ : requiresApproval
                && user.may(.approve) ? "<p><a href=\"\(DashboardPath.importPeople(id))\">Import and approve people</a></p>" : .empty
    }

    /// The recent runs, as a chart and a table.
    private var runsSection: HTML {
        """
        <h2>Runs</h2>\(RunChart(runs: runs, zone: zone).svg)
        <div class="table"><table><thead><tr><th scope="col">Started</th><th scope="col">Kind</th><th scope="col">Status</th><th \
        scope="col">Operations</th></tr></thead><tbody>
        \(runs.html { run in
            HTML("<tr><td><a href=\"\(DashboardPath.run(run.id ?? UUID()))\">\(Layout.date(run.startedAt, in: zone))</a></td><td>")
                + HTML("\(run.dryRun ? "preview" : run.full ? "full" : "incremental")</td><td>\(run.status.rawValue)")
                + HTML("\(run.error.map { HTML("<br><small>\($0)</small>") } ?? .empty)</td><td>")
                + HTML("\(DashboardRoutes.counts(run.operationCounts, skipped: run.skipped, failed: run.status == .failed))</td></tr>")
        })</tbody></table></div>
        """
    }

    func render() -> HTML {
        let status = item.status
        let id = item.id
        return """
        <p>\(Layout.badge(status.label, status.tone)) \(status.reason ?? "")</p>
        <div class="cards">
        <div class="card"><span class="muted">Active</span><strong>\(item.people[.active] ?? 0)</strong></div>
        <div class="card"><span class="muted">Archived</span><strong>\(item.people[.archived] ?? 0)</strong></div>
        <div class="card"><span class="muted">Drafts</span><strong>\(item.people[.draft] ?? 0)</strong></div>
        <div class="card"><span class="muted">Seats</span><strong>\
        \(item.seatLimit.map { "\(item.people[.active] ?? 0) / \($0)" } ?? "no limit")</strong></div>
        </div>
        <p class="muted">Preset \(item.model.preset) · source \(sourceName) · target \(item.model.targetKind.rawValue)\
        \(scimBaseURL.map { " (\($0))" } ?? "") · \
        <span id="scope-summary">scope: \((try? item.model.connectionRules()).map { ScopeInput.describe($0.scope) } ?? "—")</span> · \
        last sync \(Layout.date(item.lastRun?.startedAt, in: zone)) · next \(item.model.paused ? "—" : Layout.date(item.model.nextRunAt, in: zone)) \
        · \
        <span id="next-full">full listing (finds people removed in Personio) \(nextFull)</span></p>
        \(scimOmitted.isEmpty ? .empty : HTML("<p class=\"muted\" id=\"scim-omitted\">The app's SCIM schema does not declare ")
                                         + HTML("\(scimOmitted.joined(separator: ", ")); Rollcall leaves them out of every user it sends.</p>"))
        \(scimCompatibility.isEmpty ? .empty : HTML("<p class=\"muted\" id=\"scim-compatibility\">SCIM compatibility: ")
                                               + HTML("\(scimCompatibility.joined(separator: ", ")).</p>"))
        \(actions)
        \(withheldSection)
        \(warningsSection)
        \(mappingHint)
        \(heldSection)
        \(runsSection)
        <h2>People</h2>
        <form method="get" action="\(DashboardPath.connection(id))" role="search"><label for="q">Search people</label> <input id="q" name="q" \
        type="search" value="\(search)"> <button class="secondary">Search</button></form>
        <div class="table"><table><thead><tr><th scope="col">Person</th><th scope="col">State</th><th scope="col">Last change</th><th \
        scope="col">Problem</th></tr></thead><tbody>
        \(links.html { link in
            HTML("<tr><td><a href=\"\(DashboardPath.person(link.personioID))\">\(link.displayName ?? "Personio #\(link.personioID)")</a> <small ")
                + HTML("class=\"muted\">#\(link.personioID)</small></td><td>")
                + HTML("\(Layout.badge(link.state.rawValue, link.state == .active ? "ok" : link.state == .draft ? "warn" : "muted"))</td><td>")
                + HTML("\(Layout.date(link.updatedAt, in: zone))</td><td>\(link.lastError ?? "")</td></tr>")
        })</tbody></table></div>
        \(links.count == 200 ? HTML("<p class=\"muted\">The first 200; search to narrow down.</p>") : .empty)
        \(user.may(.own) ? deleteForm : .empty)
        """
    }

    /// The preset's fields from custom attributes (phone, contract type) that the mapping lacks: said,
    /// with where to add them.
    private var mappingHint: HTML {
        guard let preset = Preset.named(item.model.preset), let rules = try? item.model.connectionRules() else { return .empty }
        let missing = preset.labelledFields.filter { wanted in !rules.mapping.fields.contains { $0.target == wanted.target } }
        guard !missing.isEmpty else { return .empty }
        return """
        <p class="notice info" id="mapping-hint">Not sent: \(missing.map(\.meaning).joined(separator: " and ")): no attribute this \
        credential reads was labelled like \(missing.count == 1 ? "it" : "them") when the connection was made. Tick \
        \(missing.count == 1 ? "it" : "them") in Personio (Settings › Integrations › API credentials › Readable employee attributes), \
        then add \(missing.map(\.target).joined(separator: " and ")) in the <a href="\(DashboardPath.connectionMapping(item.id))">mapping</a>.</p>
        """
    }

    /// Lifecycle rules that lack the attribute they decide on: said, not guessed.
    private var warningsSection: HTML {
        let warnings = item.model.lifecycleWarnings
        guard !warnings.isEmpty else { return .empty }
        return """
        <section class="card" aria-labelledby="warnings"><h2 id="warnings">What this connection cannot tell</h2>
        <ul>\(warnings.html { "<li>\($0)</li>" })</ul>
        <p>Tick the attributes in Personio under Settings › Integrations › API credentials › Readable employee attributes.</p>
        </section>
        """
    }

    /// What Personio stopped sharing, what Rollcall does about it, and the two ways out.
    private var withheldSection: HTML {
        let sharing = item.model.sharing
        guard !sharing.withheld.isEmpty else { return .empty }
        let names = sharing.withheld.keys.sorted().joined(separator: ", ")
        return """
        <section class="card" aria-labelledby="withheld"><h2 id="withheld">Personio stopped sharing \(names)</h2>
        <p>Personio no longer returns \(sharing.withheld.keys.sorted().map { "\($0) (since \(Layout.date(sharing.withheld[$0], in: zone)))" }
            .joined(separator: ", ")) to this API credential. Rollcall treats the values as unknown,
        not empty: the values last sent are kept, and nobody is created, archived or deleted because of it.</p>
        <p>If this was a mistake, tick the attributes again in Personio under Settings › Integrations › API credentials ›
        Readable employee attributes; the next run notices. If it was meant, accept the change: from the next run the values
        read as empty, so fields from them are cleared and rules that need them apply.</p>
        \(user.may(.manage) ? Layout.button("Accept: \(names) no longer shared", action: DashboardPath.connectionAction(item.id, .acceptWithheld),
                                             user: user, style: "secondary") : .empty)
        </section>
        """
    }

    private var heldSection: HTML {
        guard !held.isEmpty else { return .empty }
        return """
        <h2>Held by the deletion brake</h2>
        \(held.html { batch in
            let people = heldPeople[batch.id ?? UUID()] ?? []
            return """
            <section class="card"><p>\(batch.removals) removals held (\(batch.linked) people linked). These people would be archived or deleted:</p>
            <ul>\(people.html {
                HTML("<li><a href=\"\(DashboardPath.person($0.personioID))\">\(heldNames[$0.personioID] ?? "Personio #\($0.personioID)")</a>: ")
                    + HTML("\($0.reason)</li>")
            })</ul>
            \(user.may(.manage)
                ? Layout.button("Release", action: DashboardPath.held(batch.id ?? UUID(), "release"), user: user)
                    + Layout.button("Discard", action: DashboardPath.held(batch.id ?? UUID(), "discard"), user: user, style: "secondary")
                : .empty)
            </section>
            """
        })
        """
    }

    private var deleteForm: HTML {
        """
        <h2>Delete this connection</h2>
        <form method="post" action="\(DashboardPath.connectionAction(item.id, .delete))">\(Layout.csrf(user))
        \(Layout.field("Type the connection's name to confirm", name: "confirm", error: deleteError,
                       help: "Deleting purges everything it stored about people: links, feed, runs.", required: true))
        <button class="danger">Delete connection</button></form>
        """
    }
}

/// Runs over time as a small server-rendered bar chart: one bar per run, its height the operations.
struct RunChart {
    var runs: [RunModel]
    var zone: TimeZone = .current

    /// Operations per run as bars, with axes: the count on the left (0 and the highest), the first and
    /// last run's time below, and what the colours mean.
    var svg: HTML {
        let shown = Array(runs.filter { !$0.dryRun }.prefix(30).reversed())
        guard let first = shown.first, let last = shown.last else { return "<p class=\"muted\">No runs yet.</p>" }
        let totals = shown.map { run in (run.operationCounts).values.reduce(0, +) }
        let highest = max(totals.max() ?? 1, 1)
        let (width, gap, left, top, plot, bottom) = (12, 3, 44, 8, 60, 20)
        let height = top + plot + bottom
        let bars = zip(shown, totals).enumerated().html { index, pair in
            let (run, total) = pair
            let barHeight = max(2, Int(Double(total) / Double(highest) * Double(plot - 4)))
            let colour = run.status == .failed ? "#a40e26" : run.status == .held || run.status == .partial ? "#7d4e00" : "#116329"
            let title = "\(Layout.date(run.startedAt, in: zone)): \(total) operations, \(run.status.rawValue)"
            return HTML("""
                <rect x="\(left + index * (width + gap))" y="\(top + plot - barHeight)" width="\(width)" height="\(barHeight)" \
                fill="\(colour)"><title>\(title)</title></rect>
                """)
        }
        let total = max(left + shown.count * (width + gap), left + 260)
        let axes: HTML = """
            <line x1="\(left - 2)" y1="\(top)" x2="\(left - 2)" y2="\(top + plot)" stroke="#57606a"/>\
            <line x1="\(left - 2)" y1="\(top + plot)" x2="\(total)" y2="\(top + plot)" stroke="#57606a"/>\
            <text x="\(left - 6)" y="\(top + 8)" text-anchor="end" font-size="11" fill="#57606a">\(highest)</text>\
            <text x="\(left - 6)" y="\(top + plot)" text-anchor="end" font-size="11" fill="#57606a">0</text>\
            <text x="\(left)" y="\(height - 4)" font-size="11" fill="#57606a">\(Layout.date(first.startedAt, in: zone))</text>\
            <text x="\(total)" y="\(height - 4)" text-anchor="end" font-size="11" fill="#57606a">\
            \(shown.count > 1 ? Layout.date(last.startedAt, in: zone) : "")</text>
            """
        return """
        <figure class="chart"><svg class="chart" role="img" aria-label="Operations per run, the last \(shown.count) runs, \
        from \(Layout.date(first.startedAt, in: zone)) to \(Layout.date(last.startedAt, in: zone))" width="\(total)" height="\(height)" \
        viewBox="0 0 \(total) \(height)">\(axes)\(bars)</svg>
        <figcaption class="muted">Operations per run (the last \(shown.count)): green succeeded, amber held or partly failed, red \
        failed.</figcaption></figure>
        """
    }
}
