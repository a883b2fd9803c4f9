import Fluent
import Foundation
import PersonioAPI
import SyncEngine
import Vapor

/// Connecting Personio: the wizard (paste the key or upload Personio's credentials file), and a
/// source's page with the attribute checklist read live from Personio.
extension DashboardRoutes {
    func bootSources(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.sources, use: sourcesPage)
        routes.on(.GET, page: DashboardPath.newSource, use: newSourcePage)
        routes.on(.POST, page: DashboardPath.sources, body: .collect(maxSize: "256kb"), use: createSource)
        routes.on(.GET, page: DashboardPath.source(), use: sourcePage)
        routes.on(.POST, page: DashboardPath.sourceCredentials(), use: rotateKey)
        routes.on(.POST, page: DashboardPath.sourceDelete(), use: deleteSource)
        routes.on(.POST, page: DashboardPath.sourceSettings(), use: saveSourceSettings)
    }

    struct SourceForm: Content {
        var name: String?
        var clientID: String?
        var clientSecret: String?
        var credentialsFile: File?
        var baseURL: String?
        var partnerID: String?
        var appID: String?
        var preset: String?

        enum CodingKeys: String, CodingKey {
            case name, preset
            case clientID = "client_id", clientSecret = "client_secret", credentialsFile = "credentials_file", baseURL = "base_url"
            case partnerID = "partner_id", appID = "app_id"
        }

        /// The API's input: an uploaded file replaces pasted fields; empty fields count as absent.
        var input: SourceInput {
            let file = credentialsFile.flatMap { $0.data.readableBytes > 0 ? String(buffer: $0.data) : nil }
            return SourceInput(name: name, clientID: file == nil ? clientID?.nilIfEmpty : nil,
                                                clientSecret: file == nil ? clientSecret?.nilIfEmpty : nil, credentialsFile: file,
                                                baseURL: baseURL?.trimmingCharacters(in: .whitespaces).nilIfEmpty, partnerID: partnerID, appID: appID)
        }
    }

    static var fromPersonioPresets: [Preset] { Preset.all.filter { $0.direction == .fromPersonio } }

    /// What "connected" means for the preset the admin has in mind: every preset's basics plus its own.
    static func required(for preset: String?) -> [String] {
        let extra = preset.flatMap(Preset.named)?.requiredAttributes ?? []
        return SourceService.requiredAttributes + extra.filter { !SourceService.requiredAttributes.contains($0) }
    }

    func sourcesPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let sources = try await self.sources(request).all(workspaceID: user.workspaceID)
        let body: HTML = """
        \(user.may(.manage) ? HTML("<p class=\"actions\"><a href=\"\(DashboardPath.newSource)\">Connect Personio</a></p>") : .empty)
        \(sources.isEmpty ? HTML("<p>No Personio source yet.</p>") : """
        <div class="table"><table><thead><tr><th scope="col">Source</th><th scope="col">Client id</th><th scope="col">Base URL</th><th \
        scope="col">Last full listing</th></tr></thead><tbody>
        \(sources.html { source in
            HTML("<tr><td><a href=\"\(DashboardPath.source(source.id ?? UUID()))\">\(source.name)</a></td><td><code>")
                + HTML("\(source.clientID)</code></td><td>\(source.baseURL)</td><td>\(Layout.date(source.lastFullAt, in: zone))</td></tr>")
        })</tbody></table></div>
        """)
        """
        return Layout.response(Layout.page(title: "Personio sources", user: user, notice: Self.notice(request), body))
    }

    func newSourcePage(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        return sourceForm(user: user, form: SourceForm(preset: Preset.timeTracking.id), error: nil, status: .ok)
    }

    private func sourceForm(user: DashboardUser, form: SourceForm, error: APIError?, status: HTTPResponseStatus) -> Response {
        func message(_ fields: String...) -> String? { fields.contains(error?.field ?? "") ? error?.message : nil }
        let body: HTML = """
        <p>In Personio, open <strong>Settings › Integrations › API credentials</strong>, create a credential for Rollcall, tick the \
        employee attributes it may read, and paste its client id and secret here, or upload the credentials file Personio lets you download.</p>
        \(error.flatMap { $0.field == nil || $0.field == "client_secret" ? HTML("<p class=\"notice error\" ")
                                                                           + HTML("role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.sources)" enctype="multipart/form-data">\(Layout.csrf(user))
        \(Layout.field("Name", name: "name", value: form.name, error: message("name"), help: "e.g. Personio, or Personio Spain"))
        \(Layout.select("You will use it for", name: "preset", options: Self.fromPersonioPresets.map { ($0.id, $0.title) }, selected: form.preset))
        <fieldset><legend>Paste the key</legend>
        \(Layout.field("Client id", name: "client_id", value: form.clientID, error: message("client_id"), attributes: "autocomplete=\"off\""))
        \(Layout.field("Client secret", name: "client_secret", type: "password", error: message("client_secret"), attributes: "autocomplete=\"off\""))
        </fieldset>
        <fieldset><legend>… or upload the credentials file</legend>
        \(Layout.field("Credentials file", name: "credentials_file", type: "file", error: message("credentials_file"),
                       attributes: "accept=\".json,.csv,.txt,text/plain,application/json\""))
        </fieldset>
        <details><summary>Advanced</summary>
        \(Layout.field("Base URL", name: "base_url", value: form.baseURL, type: "url", error: message("base_url"),
                       help: "Personio's API (https://api.personio.de/v1) unless you test against a sandbox."))
        \(Layout.field("Partner id", name: "partner_id", value: form.partnerID, help: "Optional X-Personio-Partner-ID header."))
        \(Layout.field("App id", name: "app_id", value: form.appID, help: "Optional X-Personio-App-ID header."))
        </details>
        <button>Check and connect</button></form>
        """
        return Layout.response(Layout.page(title: "Connect Personio", user: user, body), status: status)
    }

    func createSource(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let form = try request.content.decode(SourceForm.self)
        do {
            let scope = try request.workspace
            let (source, _) = try await sources(request).connect(form.input, workspaceID: scope.workspaceID, actor: scope.actor,
                                                                 required: Self.required(for: form.preset))
            let preset = form.preset.flatMap(Preset.named).map { "&for=\($0.id)" } ?? ""
            return request.redirect(to: DashboardPath.source(try source.requireID()) + "?notice=connected" + preset)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return sourceForm(user: user, form: form, error: shown, status: shown.status)
        }
    }

    /// The source with its checklist, read live from Personio each time the page is shown, so
    /// fixing an attribute in Personio and reloading shows "Connected".
    func sourcePage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let source = try await self.source(request)
        let preset = request.query[String.self, at: "for"].flatMap(Preset.named)
        // with connections: what they need; before any (the wizard's `for`): what the chosen preset needs
        let needs = preset == nil ? try await sources(request).requirements(of: source) : nil
        let diagnosis = try await sources(request).recheck(source, required: needs?.required ?? Self.required(for: preset?.id),
                                                           optional: needs?.optional)
        return Layout.response(Layout.page(title: source.name, user: user, notice: Self.notice(request),
                                           SourcePageView(user: user, source: source, diagnosis: diagnosis, preset: preset,
                                                          rotateError: nil).render()))
    }

    /// Renames the source or sets its Personio address, through the API's own `update`.
    func saveSourceSettings(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let source = try await self.source(request)
        let name = (try? request.content.get(String.self, at: "name")) ?? source.name
        let address = (try? request.content.get(String.self, at: "web_url")) ?? ""
        let apiVersion = try? request.content.get(String.self, at: "api_version")
        do {
            let scope = try request.workspace
            try await sources(request).update(source, SourceSettingsInput(name: name, webURL: address.isEmpty ? nil : address,
                                                                           clearsWebURL: address.isEmpty, apiVersion: apiVersion),
                                              workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.source(try source.requireID()), notice: .saved)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            let diagnosis = try await sources(request).recheck(source)
            return Layout.response(Layout.page(title: source.name, user: user, SourcePageView(
                user: user, source: source, diagnosis: diagnosis, preset: nil, rotateError: nil, settingsError: shown).render()),
                status: shown.status)
        }
    }

    /// Deletes the source (owners), once its name is typed.
    func deleteSource(_ request: Request) async throws -> Response {
        let user = try request.require(.own)
        let source = try await self.source(request)
        let scope = try request.workspace
        do {
            try await sources(request).delete(source, confirm: try? request.content.get(String.self, at: "confirm"), workspaceID: scope.workspaceID,
                                              actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.sources, notice: .deleted)
        } catch let error as ServiceError where error.field == "confirm" {
            let diagnosis = try await sources(request).recheck(source)
            return Layout.response(Layout.page(title: source.name, user: user, SourcePageView(
                user: user, source: source, diagnosis: diagnosis, preset: nil, rotateError: nil, deleteError: error.message).render()),
                status: .unprocessableEntity)
        }
    }

    func rotateKey(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let source = try await self.source(request)
        let id = try source.requireID()
        let form = try request.content.decode(SourceForm.self)
        do {
            let scope = try request.workspace
            _ = try await sources(request).rotate(source, form.input, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.source(id), notice: .rotated)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            let diagnosis = try await sources(request).recheck(source)
            return Layout.response(Layout.page(title: source.name, user: user,
                                               SourcePageView(user: user, source: source, diagnosis: diagnosis, preset: nil,
                                                              rotateError: shown).render()),
                                   status: shown.status)
        }
    }
}

/// A source: connected or not, and the checklist of attributes with where to fix each in Personio.
struct SourcePageView {
    var user: DashboardUser
    var source: SourceModel
    var diagnosis: PersonioDiagnosis
    var preset: Preset?
    var rotateError: APIError?
    var deleteError: String?
    var settingsError: APIError?

    /// The v2 scopes, for a source that reads through v2 (or auto).
    private var v2Checklist: HTML {
        guard !diagnosis.v2Scopes.isEmpty else { return .empty }
        let items = diagnosis.v2Scopes.html { check in
            HTML("<li>\(check.granted ? Layout.badge("granted", "ok") : Layout.badge("missing", check.required ? "bad" : "warn")) ")
                + HTML("<code>\(check.scope)</code> — \(check.purpose) \(check.required ? "(required)" : "(optional)")")
                + HTML("\(check.granted ? .empty : HTML("<br><small>\(check.remedy ?? "")</small>"))</li>")
        }
        return "<h2>Personio v2 access</h2><ul class=\"checklist\" id=\"v2-scopes\">\(items)</ul>"
    }

    /// Connected, or what keeps it from being connected.
    private var status: HTML {
        let missing = diagnosis.missingRequired.map(\.label)
        let missingScopes = diagnosis.v2Scopes.filter { $0.required && !$0.granted }.map(\.scope)
        let lacking = (missing.isEmpty ? [] : ["Rollcall may not read \(missing.joined(separator: ", "))"])
            + (missingScopes.isEmpty ? [] : ["the credential lacks the Personio v2 access \(missingScopes.joined(separator: ", "))"])
        let lackingText = lacking.joined(separator: "; ")
        return diagnosis.isConnected
            ? "<p class=\"notice success\" role=\"status\" id=\"connection-status\"><strong>Connected</strong>: "
              + "Personio accepted the key and every required attribute is readable.</p>"
            : !diagnosis.credentialsValid || diagnosis.error != nil
            ? "<p class=\"notice error\" role=\"alert\" id=\"connection-status\"><strong>Not connected</strong>: "
              + "\(diagnosis.error.map { "\($0.explanation) \($0.remedy)" } ?? "Personio did not accept the key.")</p>"
            : "<p class=\"notice error\" role=\"alert\" id=\"connection-status\"><strong>Not connected yet</strong>: "
              + "\(lackingText). Fix it in Personio as the checklist says, then check again.</p>"
    }

    /// Renaming, the Personio address, the API version and the key (managers).
    private var manageForms: HTML {
        guard user.may(.manage), let id = source.id else { return .empty }
        func message(_ field: String) -> String? { rotateError?.field == field ? rotateError?.message : nil }
        return """
        <h2>Name, Personio address and API</h2>
        <form method="post" action="\(DashboardPath.sourceSettings(id))">\(Layout.csrf(user))
        \(Layout.field("Name", name: "name", value: source.name, error: settingsError?.field == "name" ? settingsError?.message : nil,
                       required: true))
        \(Layout.field("Your Personio's address in the browser", name: "web_url", value: source.webURL, type: "url",
                       error: settingsError?.field == "web_url" ? settingsError?.message : nil,
                       help: "e.g. https://acme.app.personio.com; pages then link to employees there. Empty: no links."))
        \(Layout.select("Personio API", name: "api_version", options: [("v1", "v1"), ("v2", "v2"), ("auto", "Automatic")],
                        selected: source.personioAPI.rawValue, error: settingsError?.field == "api_version" ? settingsError?.message : nil,
                        help: "v1 reads 100 people per request with every attribute. v2 reads 50 per request plus one request per person "
                            + "for the employment, and names offices by id only. Automatic lists everyone through the cheaper one (v1) "
                            + "and reads single people through v2."))
        <button class="secondary">Save</button></form>
        <h2>Rotate the key</h2>
        <form method="post" action="\(DashboardPath.sourceCredentials(id))">\(Layout.csrf(user))
        \(rotateError.flatMap { $0.field == nil || $0.field == "client_secret" ? HTML("<p class=\"notice error\" ")
                                                                                 + HTML("role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        \(Layout.field("New client id", name: "client_id", error: message("client_id"), attributes: "autocomplete=\"off\""))
        \(Layout.field("New client secret", name: "client_secret", type: "password", attributes: "autocomplete=\"off\""))
        <button class="secondary">Check and replace</button></form>
        """
    }

    /// Deleting the source (owners).
    private var deleteForm: HTML {
        guard user.may(.own), let id = source.id else { return .empty }
        return """
        <h2>Delete this source</h2>
        <form method="post" action="\(DashboardPath.sourceDelete(id))">\(Layout.csrf(user))
        \(Layout.field("Type the source's name to confirm", name: "confirm", error: deleteError,
                       help: "Deleting removes its connections and purges everything they stored about people: links, feed, runs.",
                       required: true))
        <button class="danger">Delete source</button></form>
        """
    }

    func render() -> HTML {
        let id = source.id ?? UUID()
        let checklist = diagnosis.attributes.sorted { ($0.required ? 0 : 1, $0.label) < ($1.required ? 0 : 1, $1.label) }.html { check in
            HTML("<li>\(check.readable ? Layout.badge("readable", "ok") : Layout.badge("missing", check.required ? "bad" : "warn")) ")
                + HTML("<strong>\(check.label)</strong> \(check.required ? "(required)" : "(optional)")")
                + HTML("\(check.readable ? .empty : HTML("<br><small>\(check.remedy ?? "")</small>"))</li>")
        }
        return """
        \(status)
        <p class="muted">Client id <code>\(source.clientID)</code> · \(source.baseURL)\(diagnosis.employeeCount.map { " · \($0) employees" } ?? "")\
        \(preset.map { " · checked for \($0.title)" } ?? "")</p>
        <h2>Attributes Rollcall may read</h2>
        <ul class="checklist" id="checklist">\(checklist)</ul>
        <p><a href="\(DashboardPath.source(id))\(preset.map { "?for=\($0.id)" } ?? "")">Check again</a> · \
        <a href="\(DashboardPath.absenceKinds(id))">Absence kinds</a></p>
        \(diagnosis.canWriteEmployees.map { HTML("<p>Creating employees (hand-offs): ")
                                            + HTML("\($0 ? "allowed" : "not allowed by this credential")</p>") } ?? .empty)
        \(v2Checklist)
        \(manageForms)
        \(deleteForm)
        """
    }
}
