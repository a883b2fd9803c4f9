import Fluent
import Foundation
import Provisioning
import SyncEngine
import Vapor

/// A connection's settings page: name, how often Personio is read, seat limit and, for SCIM apps,
/// where people go. Saving runs the API's own `update`, so both check and audit the same way.
extension DashboardRoutes {
    struct SettingsForm: Content {
        var name: String?
        var incrementalInterval: String?
        var fullInterval: String?
        var seatLimit: String?
        var scimBaseURL: String?
        var scimToken: String?
        // the SCIM compatibility settings: "" follows the app's discovery
        var scimPreset: String?
        var scimUpdateMethod: String?
        var scimFilter: String?
        var scimEnterprise: String?
        var scimTypedEmails: String?
        var scimBooleans: String?
        var scimPageSize: String?
        var scimRate: String?

        enum CodingKeys: String, CodingKey {
            case name
            case incrementalInterval = "incremental_interval", fullInterval = "full_interval", seatLimit = "seat_limit"
            case scimBaseURL = "scim_base_url", scimToken = "scim_token"
            case scimPreset = "scim_preset", scimUpdateMethod = "scim_update_method", scimFilter = "scim_filter"
            case scimEnterprise = "scim_enterprise", scimTypedEmails = "scim_typed_emails", scimBooleans = "scim_booleans"
            case scimPageSize = "scim_page_size", scimRate = "scim_rate"
        }

        /// The form's fields for stored compatibility settings.
        mutating func show(_ settings: SCIMTargetSettings) {
            let given = settings.compatibility ?? SCIMCompatibility()
            func text(_ flag: Bool?) -> String { flag.map { $0 ? "true" : "false" } ?? "" }
            scimPreset = settings.compatibilityPreset?.rawValue ?? ""
            scimUpdateMethod = given.updateMethod?.rawValue ?? ""
            scimFilter = text(given.filter)
            scimEnterprise = text(given.enterpriseExtension)
            scimTypedEmails = text(given.typedEmails)
            scimBooleans = text(given.booleansAsStrings)
            scimPageSize = given.pageSize.map(String.init) ?? ""
            scimRate = given.requestsPerSecond.map(String.init) ?? ""
        }

        /// The compatibility settings as the API takes them; a number that is not one is named.
        func compatibility() throws(APIError) -> CompatibilityInput {
            func flag(_ text: String?) -> Bool? { text == "true" ? true : text == "false" ? false : nil }
            func number(_ text: String?, _ field: String) throws(APIError) -> Int? {
                guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let value = Int(text) else { throw .invalid("scim.compatibility.\(field)", "A whole number, or empty for the default.") }
                return value
            }
            var input = CompatibilityInput(preset: nil, nil)
            input.preset = scimPreset?.nilIfEmpty
            input.updateMethod = scimUpdateMethod?.nilIfEmpty
            input.filter = flag(scimFilter)
            input.enterpriseExtension = flag(scimEnterprise)
            input.typedEmails = flag(scimTypedEmails)
            input.booleansAsStrings = flag(scimBooleans)
            input.pageSize = try number(scimPageSize, "page_size")
            input.requestsPerSecond = try number(scimRate, "requests_per_second")
            return input
        }
    }

    static let incrementalChoices: [(Int, String)] = [
        (60, "minute"), (300, "5 minutes"), (900, "15 minutes"), (1800, "30 minutes"), (3600, "hour"), (21_600, "6 hours"),
        (43_200, "12 hours"), (86_400, "day"),
    ]
    static let fullChoices: [(Int, String)] = [(3600, "hour"), (21_600, "6 hours"), (43_200, "12 hours"), (86_400, "day"), (604_800, "week")]

    func settingsPage(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rules = try model.connectionRules()
        var form = SettingsForm(name: model.name, incrementalInterval: String(model.incrementalInterval), fullInterval: String(model.fullInterval),
                                seatLimit: rules.policy.seatLimit.map(String.init), scimBaseURL: try Self.scimBaseURL(model))
        if let settings = try Self.scimSettings(model) { form.show(settings) }
        return try settingsForm(user: user, model: model, form: form, error: nil)
    }

    func saveSettings(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let form = try request.content.decode(SettingsForm.self)
        do {
            var input = ConnectionInput()
            input.name = form.name?.trimmingCharacters(in: .whitespaces) ?? model.name
            input.incrementalInterval = try Self.seconds(form.incrementalInterval, field: "incremental_interval")
            input.fullInterval = try Self.seconds(form.fullInterval, field: "full_interval")
            input.seatLimit = try Self.seatLimit(form.seatLimit)
            input.clearsSeatLimit = input.seatLimit == nil
            if let current = try Self.scimSettings(model) {
                let base = form.scimBaseURL?.trimmingCharacters(in: .whitespaces) ?? ""
                let token = form.scimToken?.trimmingCharacters(in: .whitespaces).nilIfEmpty
                let compatibility = try form.compatibility()
                var stored = SettingsForm()
                stored.show(current)
                // the app is asked again only when where or how Rollcall talks to it changes
                let unchanged = try stored.compatibility()
                if token != nil || base != current.baseURL || compatibility != unchanged {
                    input.scim = SCIMInput(baseURL: base, token: token, compatibility: compatibility)
                }
            }
            let scope = try request.workspace
            try await connections(request).update(model, input, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connection(try model.requireID()), notice: .saved)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try settingsForm(user: user, model: model, form: form, error: shown, status: shown.status)
        }
    }

    /// The seat limit field: nil when empty (no limit).
    static func seatLimit(_ text: String?) throws(APIError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let limit = Int(text) else { throw .invalid("seat_limit", "The seat limit is a whole number, e.g. 50, or empty for none.") }
        return limit
    }

    private static func seconds(_ text: String?, field: String) throws(APIError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let seconds = Int(text) else { throw .invalid(field, "Choose one of the listed intervals.") }
        return seconds
    }

    /// Where a SCIM connection sends people; nil for other targets.
    static func scimBaseURL(_ model: ConnectionModel) throws -> String? {
        try scimSettings(model)?.baseURL
    }

    /// A SCIM connection's settings; nil for other targets.
    static func scimSettings(_ model: ConnectionModel) throws -> SCIMTargetSettings? {
        try model.scimSettings()
    }

    /// What a SCIM app's `/Schemas` makes Rollcall leave out of every user.
    static func scimOmitted(_ model: ConnectionModel) -> [String] {
        (try? model.scimSettings())??.omitted ?? []
    }

    private func settingsForm(user: DashboardUser, model: ConnectionModel, form: SettingsForm, error: APIError?,
                              status: HTTPResponseStatus = .ok) throws -> Response {
        let id = try model.requireID()
        func message(_ field: String) -> String? { error?.field == field ? error?.message : nil }
        /// The listed choices, plus the current value when it is not one of them (set through the API).
        func options(_ choices: [(Int, String)], current: String?) -> [(value: String, title: String)] {
            var list = choices.map { (value: String($0.0), title: "every \($0.1)") }
            if let current, !list.contains(where: { $0.value == current }) { list.insert((current, "every \(current) seconds"), at: 0) }
            return list
        }
        let scim = model.targetKind == .scim ? Self.scimFieldsets(form, message: message) : .empty
        let body: HTML = """
        \(error.flatMap { $0.field == nil ? HTML("<p class=\"notice error\" role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.connectionSettings(id))">\(Layout.csrf(user))
        \(Layout.field("Name", name: "name", value: form.name, error: message("name"), required: true))
        \(Layout.select("Read changes from Personio", name: "incremental_interval",
                        options: options(Self.incrementalChoices, current: form.incrementalInterval), selected: form.incrementalInterval,
                        error: message("incremental_interval")))
        \(Layout.select("Read the whole list (finds people removed in Personio)", name: "full_interval",
                        options: options(Self.fullChoices, current: form.fullInterval), selected: form.fullInterval, error: message("full_interval")))
        \(Layout.field("Seat limit", name: "seat_limit", value: form.seatLimit, type: "number", error: message("seat_limit"),
                       help: "At most this many active people in the app; empty for no limit.", attributes: "min=\"1\""))
        \(scim)
        <button>Save settings</button> <a href="\(DashboardPath.connection(id))">Cancel</a></form>
        """
        return Layout.response(Layout.page(title: "Settings · \(model.name)", user: user, body), status: status)
    }

    /// Where a SCIM connection sends people, and how it meets the app (the settings page's part for SCIM).
    private static func scimFieldsets(_ form: SettingsForm, message: (String) -> String?) -> HTML {
        """
            <fieldset><legend>SCIM app</legend>
            \(Layout.field("SCIM base URL", name: "scim_base_url", value: form.scimBaseURL, type: "url", error: message("scim.base_url"),
                           help: "Changing it is checked against the app before it is saved."))
            \(Layout.field("New SCIM token", name: "scim_token", type: "password", error: message("scim.token"),
                           help: "Leave empty to keep the stored token; a new one is stored encrypted and never shown again."))
            </fieldset>
            <fieldset id="scim-compatibility"><legend>SCIM compatibility</legend>
            <p class="muted">For apps whose SCIM differs from what they announce. Left on “as the app announces”, each follows \
            the app's /ServiceProviderConfig and /Schemas; a setting chosen here wins over the preset.</p>
            \(Layout.select("Preset", name: "scim_preset", options: SCIMCompatibility.Preset.allCases.map {
                (value: $0 == .discovered ? "" : $0.rawValue, title: $0.title)
            }, selected: form.scimPreset ?? "", error: message("scim.compatibility.preset")))
            \(Layout.select("Changes sent with", name: "scim_update_method", options: [
                ("", "As the preset or app says"), ("patch", "PATCH (only what changed)"), ("put", "PUT (the whole user)"),
            ], selected: form.scimUpdateMethod ?? "", error: message("scim.compatibility.update_method")))
            \(Layout.select("Finding existing users", name: "scim_filter", options: [
                ("", "As the preset or app says"), ("true", "Search with filters"), ("false", "Read every user and match here"),
            ], selected: form.scimFilter ?? ""))
            \(Layout.select("Enterprise extension (department, manager, …)", name: "scim_enterprise", options: [
                ("", "As the preset or app's schema says"), ("true", "Send it"), ("false", "Leave it out"),
            ], selected: form.scimEnterprise ?? ""))
            \(Layout.select("E-mails and phone numbers", name: "scim_typed_emails", options: [
                ("", "As the preset or app's schema says"), ("true", "With type and primary"), ("false", "Value only"),
            ], selected: form.scimTypedEmails ?? ""))
            \(Layout.select("Active as", name: "scim_booleans", options: [
                ("", "As the preset says"), ("false", "true / false"), ("true", "Text: \"true\" / \"false\""),
            ], selected: form.scimBooleans ?? ""))
            \(Layout.field("Users per page when reading the app", name: "scim_page_size", value: form.scimPageSize, type: "number",
                           error: message("scim.compatibility.page_size"), help: "1 to 1,000; empty for 500.", attributes: "min=\"1\" max=\"1000\""))
            \(Layout.field("Requests per second at most", name: "scim_rate", value: form.scimRate, type: "number",
                           error: message("scim.compatibility.requests_per_second"), help: "1 to 1,000; empty for no limit.",
                           attributes: "min=\"1\" max=\"1000\""))
            </fieldset>
            """
    }
}
