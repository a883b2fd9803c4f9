import Fluent
import Foundation
import PersonioAPI
import Provisioning
import SyncEngine
import Vapor

/// Sources, connections and held batches of the token's workspace.
struct ManagementRoutes: RouteCollection {
    let runner: SyncRunner

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(TokenAuthenticator())
        api.get("sources", use: listSources)
        api.post("sources", use: createSource)
        api.put("sources", ":source", "credentials", use: rotateCredentials)
        api.delete("sources", ":source", use: deleteSource)
        api.post("connections", use: createConnection)
        api.patch("connections", ":connection", use: updateConnection)
        api.delete("connections", ":connection", use: deleteConnection)
        api.post("connections", ":connection", "withheld-attributes", "accept", use: acceptWithheld)
        api.get("connections", ":connection", "held", use: listHeld)
        api.post("held", ":batch", "release", use: release)
        api.post("held", ":batch", "discard", use: discard)
    }

    // MARK: Sources

    struct SourceView: Content {
        var id: UUID
        var name: String
        var baseURL: String
        var clientId: String
        var lastFullAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name
            case baseURL = "base_url", clientId = "client_id", lastFullAt = "last_full_at"
        }

        init(_ model: SourceModel) throws {
            id = try model.requireID()
            name = model.name
            baseURL = model.baseURL
            clientId = model.clientID
            lastFullAt = model.lastFullAt
        }
    }

    struct DiagnosisView: Content {
        struct Attribute: Content {
            var key: String
            var label: String
            var required: Bool
            var readable: Bool
            var remedy: String?
        }

        var connected: Bool
        var credentialsValid: Bool
        var error: String?
        var attributes: [Attribute]
        var canWriteEmployees: Bool?
        var employeeCount: Int?

        enum CodingKeys: String, CodingKey {
            case connected, error, attributes
            case credentialsValid = "credentials_valid", canWriteEmployees = "can_write_employees", employeeCount = "employee_count"
        }

        init(_ diagnosis: PersonioDiagnosis) {
            connected = diagnosis.isConnected
            credentialsValid = diagnosis.credentialsValid
            error = diagnosis.error.map { "\($0.explanation) \($0.remedy)" }
            attributes = diagnosis.attributes.map {
                Attribute(key: $0.key, label: $0.label, required: $0.required, readable: $0.readable, remedy: $0.remedy)
            }
            canWriteEmployees = diagnosis.canWriteEmployees
            employeeCount = diagnosis.employeeCount
        }
    }

    struct SourceWithDiagnosis: Content {
        var source: SourceView
        var diagnosis: DiagnosisView
    }

    var sources: @Sendable (any Database) -> SourceService {
        { [runner] in SourceService(database: $0, runner: runner) }
    }

    func listSources(_ request: Request) async throws -> APIRoutes.List<SourceView> {
        APIRoutes.List(data: try await sources(request.db).all(workspaceID: try request.workspace.workspaceID).map(SourceView.init))
    }

    /// Checks the credentials live (the client's `diagnose`) and stores the source only when
    /// Personio accepts them; the answer lists every attribute the presets need and where to fix it.
    func createSource(_ request: Request) async throws -> Response {
        let input = try request.strictContent(SourceInput.self)
        let scope = try request.workspace
        let (source, diagnosis) = try await sources(request.db).connect(input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try APIRoutes.encode(SourceWithDiagnosis(source: try SourceView(source), diagnosis: DiagnosisView(diagnosis)), status: .created)
    }

    /// Replaces the client id and secret ("change the key"), after Personio accepted the new ones.
    func rotateCredentials(_ request: Request) async throws -> Response {
        let source = try await Self.source(request)
        let input = try request.strictContent(SourceInput.self)
        let scope = try request.workspace
        let diagnosis = try await sources(request.db).rotate(source, input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try APIRoutes.encode(SourceWithDiagnosis(source: try SourceView(source), diagnosis: DiagnosisView(diagnosis)), status: .ok)
    }

    /// Deletes the source with its connections and everything stored about their people.
    func deleteSource(_ request: Request) async throws -> HTTPStatus {
        let scope = try request.workspace
        try await sources(request.db).delete(try await Self.source(request), workspaceID: scope.workspaceID, actor: scope.actor)
        return .noContent
    }

    /// The source named in the path, if it belongs to the request's workspace (API, absences, dashboard).
    static func source(_ request: Request) async throws -> SourceModel {
        let scope = try request.workspace
        return try await SourceService.find(request.parameters.get("source", as: UUID.self), workspaceID: scope.workspaceID, on: request.db)
    }

    // MARK: Connections

    struct ConnectionInput: Content {
        var sourceId: UUID?
        var preset: String?
        var name: String?
        var target: String?
        var paused: Bool?
        var incrementalInterval: Int?
        var fullInterval: Int?
        var seatLimit: Int?
        /// `"seat_limit": null` was sent (or the dashboard's field emptied): remove the limit.
        var clearsSeatLimit = false
        var scim: SCIMInput?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case preset, name, target, paused, scim
            case sourceId = "source_id", incrementalInterval = "incremental_interval", fullInterval = "full_interval"
            case seatLimit = "seat_limit"
        }

        func validate() throws(APIError) {
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("name", "name must not be empty") }
            if let incrementalInterval, !(30...86_400).contains(incrementalInterval) {
                throw .invalid("incremental_interval", "incremental_interval is seconds between 30 and 86400")
            }
            if let fullInterval, !(3_600...604_800).contains(fullInterval) {
                throw .invalid("full_interval", "full_interval is seconds between 3600 and 604800")
            }
            if let seatLimit, seatLimit < 1 { throw .invalid("seat_limit", "seat_limit must be at least 1") }
        }
    }

    /// Where a `scim` connection sends people. The token is sealed at rest and never shown again.
    struct SCIMInput: Content {
        var baseURL: String?
        var token: String?
        var deletes: Bool?
        var userNameField: String?
        /// `externalId`, `userName`, `email`, in the order to try.
        var correlation: [String]?
        /// Where the app differs from what it announces; replaces the stored settings when given.
        var compatibility: CompatibilityInput?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case token, deletes, correlation, compatibility
            case baseURL = "base_url", userNameField = "user_name_field"
        }
    }

    /// A preset and the settings given over it; each unset setting follows the app's discovery.
    struct CompatibilityInput: Content, Equatable {
        var preset: String?
        var updateMethod: String?
        var filter: Bool?
        var enterpriseExtension: Bool?
        var typedEmails: Bool?
        var booleansAsStrings: Bool?
        var pageSize: Int?
        var requestsPerSecond: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case preset, filter
            case updateMethod = "update_method", enterpriseExtension = "enterprise_extension", typedEmails = "typed_emails"
            case booleansAsStrings = "booleans_as_strings", pageSize = "page_size", requestsPerSecond = "requests_per_second"
        }

        /// The stored form, or a 422 naming the setting.
        func validated() throws(APIError) -> (SCIMCompatibility.Preset?, SCIMCompatibility) {
            let field = "scim.compatibility."
            var preset: SCIMCompatibility.Preset?
            if let name = self.preset {
                guard let known = SCIMCompatibility.Preset(rawValue: name) else {
                    throw .invalid(field + "preset", "\(name.prefix(40)) is not a preset; one of "
                                   + SCIMCompatibility.Preset.allCases.map(\.rawValue).joined(separator: ", "))
                }
                preset = known
            }
            var method: SCIMCompatibility.UpdateMethod?
            if let name = updateMethod {
                guard let known = SCIMCompatibility.UpdateMethod(rawValue: name.lowercased()) else {
                    throw .invalid(field + "update_method", "update_method is patch or put")
                }
                method = known
            }
            if let pageSize, !SCIMCompatibility.pageSizes.contains(pageSize) {
                throw .invalid(field + "page_size", "page_size is 1 to \(SCIMCompatibility.pageSizes.upperBound) users")
            }
            if let requestsPerSecond, !SCIMCompatibility.requestRates.contains(requestsPerSecond) {
                throw .invalid(field + "requests_per_second", "requests_per_second is 1 to \(SCIMCompatibility.requestRates.upperBound)")
            }
            return (preset, SCIMCompatibility(updateMethod: method, filter: filter, enterpriseExtension: enterpriseExtension,
                                              typedEmails: typedEmails, booleansAsStrings: booleansAsStrings, pageSize: pageSize,
                                              requestsPerSecond: requestsPerSecond))
        }

        init(preset: SCIMCompatibility.Preset?, _ settings: SCIMCompatibility?) {
            self.preset = preset?.rawValue
            updateMethod = settings?.updateMethod?.rawValue
            filter = settings?.filter
            enterpriseExtension = settings?.enterpriseExtension
            typedEmails = settings?.typedEmails
            booleansAsStrings = settings?.booleansAsStrings
            pageSize = settings?.pageSize
            requestsPerSecond = settings?.requestsPerSecond
        }
    }

    /// Validates the SCIM settings with a live discovery call and seals the token for the connection.
    private func scimSettings(_ input: SCIMInput?, connectionID: UUID) async throws -> SCIMTargetSettings {
        guard let input else { throw APIError.invalid("scim", "a scim target needs scim.base_url and scim.token") }
        guard let base = input.baseURL?.trimmingCharacters(in: .whitespaces), let url = URL(string: base),
              ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw APIError.invalid("scim.base_url", "scim.base_url is the app's SCIM 2.0 base URL, e.g. https://app.example/scim/v2")
        }
        try await OutboundCheck.check(base, .scim, field: "scim.base_url", with: runner)
        guard let token = input.token, !token.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.invalid("scim.token", "scim.token is the bearer token the app issued for SCIM")
        }
        let field = input.userNameField ?? "email"
        guard !field.isEmpty else { throw APIError.invalid("scim.user_name_field", "scim.user_name_field names a mapped field, e.g. email") }
        var correlation: [SCIMConfiguration.Correlation]?
        if let names = input.correlation {
            guard !names.isEmpty else { throw APIError.invalid("scim.correlation", "scim.correlation lists externalId, userName and/or email") }
            correlation = try names.enumerated().map { index, name in
                guard let way = SCIMConfiguration.Correlation(rawValue: name) else {
                    throw APIError.invalid("scim.correlation[\(index)]", "\(name) is not externalId, userName or email")
                }
                return way
            }
        }
        var settings = SCIMTargetSettings(baseURL: base, sealedToken: "", deletes: input.deletes ?? true, userNameField: field,
                                          correlation: correlation)
        if let compatibility = try input.compatibility?.validated() {
            settings.compatibilityPreset = compatibility.0
            settings.compatibility = compatibility.1 == SCIMCompatibility() ? nil : compatibility.1
        }
        do {
            let client = SCIMClient(configuration: settings.configuration(token: token), transport: runner.scimTransport)
            settings.omitted = SCIMTarget(client: client, provider: try await client.discover()).omittedAttributes
        } catch {
            let failure: TargetFailure = error
            let field = failure.code.hasPrefix("scim_401") || failure.code.hasPrefix("scim_403") ? "scim.token" : "scim.base_url"
            throw APIError(status: .unprocessableEntity, code: "target_rejected", message: failure.explanation, field: field)
        }
        settings.sealedToken = try runner.vault.seal(token, context: SCIMTargetSettings.tokenContext(connectionID))
        return settings
    }

    func createConnection(_ request: Request) async throws -> Response {
        let input = try request.strictContent(ConnectionInput.self)
        let connection = try await makeConnection(input, scope: try request.workspace, on: request.db)
        return try APIRoutes.encode(try APIRoutes.ConnectionView(connection), status: .created)
    }

    /// Creates a connection from a preset (API and dashboard).
    func makeConnection(_ input: ConnectionInput, scope: WorkspaceScope, on database: any Database) async throws -> ConnectionModel {
        try input.validate()
        guard let sourceID = input.sourceId else { throw APIError.invalid("source_id", "source_id is required") }
        guard try await SourceModel.query(on: database).filter(\.$id == sourceID).filter(\.$workspace.$id == scope.workspaceID)
            .first() != nil else { throw APIError.invalid("source_id", "no source with that id in this workspace") }
        let presets = Preset.all.filter { $0.direction == .fromPersonio }
        guard let presetID = input.preset, let preset = presets.first(where: { $0.id == presetID }) else {
            throw APIError.invalid("preset", "preset must be one of \(presets.map(\.id).joined(separator: ", "))")
        }
        guard let target = TargetKind(rawValue: input.target ?? TargetKind.feed.rawValue) else {
            throw APIError.invalid("target", "target must be feed or scim")
        }
        // A SCIM connection keeps no personal fields (data minimisation): only ids, name, state, fingerprint.
        var rules = preset.rules(storesFields: target == .feed)
        rules.policy.seatLimit = input.seatLimit
        let connectionID = UUID()
        var targetConfig = "{}"
        if target == .scim {
            targetConfig = try StoredJSON.text(try await scimSettings(input.scim, connectionID: connectionID))
        } else if input.scim != nil {
            throw APIError.invalid("scim", "scim settings belong to a connection whose target is scim")
        }
        let connection = ConnectionModel(workspaceID: scope.workspaceID, sourceID: sourceID, name: input.name ?? preset.title,
                                         preset: preset.id, targetKind: target, targetConfig: targetConfig, rules: try StoredJSON.text(rules),
                                         incrementalInterval: input.incrementalInterval ?? preset.incrementalInterval,
                                         fullInterval: input.fullInterval ?? preset.fullInterval, paused: input.paused ?? false)
        connection.id = connectionID
        try await connection.create(on: database)
        try await AuditEventModel(workspaceID: scope.workspaceID, actor: scope.actor, action: "connection.created",
                                  subject: "connection \(connectionID)", detail: "\(connection.name) (\(preset.id), \(target))",
                                  at: runner.now()).save(on: database)
        return connection
    }

    func updateConnection(_ request: Request) async throws -> APIRoutes.ConnectionView {
        let connection = try await APIRoutes.connection(request)
        let input = try request.strictContent(ConnectionInput.self)
        try await update(connection, input, scope: try request.workspace, on: request.db)
        return try APIRoutes.ConnectionView(connection)
    }

    struct AcceptInput: Content {
        var attributes: [String]?
    }

    func acceptWithheld(_ request: Request) async throws -> APIRoutes.ConnectionView {
        let connection = try await APIRoutes.connection(request)
        let input = try request.strictContent(AcceptInput.self)
        try await acceptWithheld(input.attributes ?? [], of: connection, scope: try request.workspace, on: request.db)
        return try APIRoutes.ConnectionView(connection)
    }

    /// An admin accepts that Personio no longer shares these attributes (API and dashboard): from the
    /// next run their values read as empty, so fields from them are cleared and rules that need them apply.
    func acceptWithheld(_ attributes: [String], of connection: ConnectionModel, scope: WorkspaceScope, on database: any Database) async throws {
        var sharing = connection.sharing
        guard !attributes.isEmpty else {
            throw APIError.invalid("attributes", "attributes is required: the withheld attributes to accept, e.g. [\"department\"]")
        }
        for attribute in attributes where sharing.withheld[attribute] == nil {
            let withheld = sharing.withheld.keys.sorted()
            throw APIError.invalid("attributes", "\(attribute) is not withheld from this connection"
                + (withheld.isEmpty ? " (nothing is)" : "; withheld: \(withheld.joined(separator: ", "))"))
        }
        sharing.accept(attributes)
        try connection.setSharing(sharing)
        try await connection.save(on: database)
        try await AuditEventModel(workspaceID: scope.workspaceID, actor: scope.actor, action: "connection.withheld_accepted",
                                  subject: "connection \(try connection.requireID())",
                                  detail: "\(connection.name): no longer shared by Personio: \(attributes.sorted().joined(separator: ", "))",
                                  at: runner.now()).save(on: database)
    }

    /// Changes a connection's settings (API and dashboard) and records what changed in the audit log,
    /// never the SCIM token. `scim` without a token keeps the stored one (checked again against the
    /// app). A shorter interval brings the next run forward.
    func update(_ connection: ConnectionModel, _ input: ConnectionInput, scope: WorkspaceScope, on database: any Database) async throws {
        try input.validate()
        if input.sourceId != nil { throw APIError.invalid("source_id", "a connection's source cannot change; create a new connection") }
        if input.preset != nil { throw APIError.invalid("preset", "a connection's preset cannot change; create a new connection") }
        if input.target != nil { throw APIError.invalid("target", "a connection's target cannot change; create a new connection") }
        let id = try connection.requireID()
        var changes: [String] = []
        if var scim = input.scim {
            guard connection.targetKind == .scim else {
                throw APIError.invalid("scim", "scim settings belong to a connection whose target is scim")
            }
            let current = try StoredJSON.decode(SCIMTargetSettings.self, connection.targetConfig)
            if scim.token == nil { scim.token = try runner.vault.open(current.sealedToken, context: SCIMTargetSettings.tokenContext(id)) }
            scim.baseURL = scim.baseURL ?? current.baseURL
            scim.deletes = scim.deletes ?? current.deletes
            scim.userNameField = scim.userNameField ?? current.userNameField
            scim.correlation = scim.correlation ?? current.correlation?.map(\.rawValue)
            scim.compatibility = scim.compatibility ?? CompatibilityInput(preset: current.compatibilityPreset, current.compatibility)
            let settings = try await scimSettings(scim, connectionID: id)
            connection.targetConfig = try StoredJSON.text(settings)
            var change = "SCIM app \(settings.baseURL)\(input.scim?.token == nil ? "" : ", new token")"
            if settings.effectiveCompatibility != current.effectiveCompatibility {
                let summary = settings.effectiveCompatibility.summary
                change += "; compatibility: " + (summary.isEmpty ? "as the app announces" : summary.joined(separator: ", "))
            }
            changes.append(change)
        }
        if let name = input.name?.trimmingCharacters(in: .whitespaces), name != connection.name {
            changes.append("renamed from \(connection.name)")
            connection.name = name
        }
        if let paused = input.paused, paused != connection.paused {
            changes.append(paused ? "paused" : "resumed")
            connection.paused = paused
        }
        if let interval = input.incrementalInterval, interval != connection.incrementalInterval {
            changes.append("changes read every \(interval) s")
            connection.incrementalInterval = interval
            let soonest = runner.now().addingTimeInterval(TimeInterval(interval))
            if let next = connection.nextRunAt, next > soonest { connection.nextRunAt = soonest }
        }
        if let interval = input.fullInterval, interval != connection.fullInterval {
            changes.append("full listing every \(interval) s")
            connection.fullInterval = interval
        }
        var rules = try StoredJSON.decode(ConnectionRules.self, connection.rules)
        let limit = input.clearsSeatLimit ? nil : input.seatLimit ?? rules.policy.seatLimit
        if limit != rules.policy.seatLimit {
            changes.append(limit.map { "seat limit \($0)" } ?? "no seat limit")
            rules.policy.seatLimit = limit
            connection.rules = try StoredJSON.text(rules)
        }
        guard !changes.isEmpty else { return }
        try await connection.save(on: database)
        try await AuditEventModel(workspaceID: scope.workspaceID, actor: scope.actor, action: "connection.updated",
                                  subject: "connection \(id)", detail: "\(connection.name): \(changes.joined(separator: ", "))",
                                  at: runner.now()).save(on: database)
    }

    /// Deletes the connection and purges what it stored about people (links, feed, runs).
    func deleteConnection(_ request: Request) async throws -> HTTPStatus {
        let connection = try await APIRoutes.connection(request)
        try await connection.delete(on: request.db)
        return .noContent
    }

    // MARK: Held batches

    struct HeldView: Content {
        var id: UUID
        var runId: UUID
        var status: String
        var removals: Int
        var linked: Int
        var people: [APIRoutes.OperationView]?

        enum CodingKeys: String, CodingKey {
            case id, status, removals, linked, people
            case runId = "run_id"
        }

        init(_ batch: HeldBatchModel, people: [APIRoutes.OperationView]?) throws {
            id = try batch.requireID()
            runId = batch.$run.id
            status = batch.status.rawValue
            removals = batch.removals
            linked = batch.linked
            self.people = people
        }
    }

    var heldBatches: @Sendable (any Database) -> HeldBatchService {
        { [runner] in HeldBatchService(database: $0, now: runner.now) }
    }

    func listHeld(_ request: Request) async throws -> APIRoutes.List<HeldView> {
        let connection = try await APIRoutes.connection(request)
        let views = try await heldBatches(request.db).batches(of: connection.requireID()).map { held in
            try HeldView(held.batch, people: try held.people?.map(APIRoutes.OperationView.init))
        }
        return APIRoutes.List(data: views)
    }

    func release(_ request: Request) async throws -> HeldView { try await decide(request, .released) }
    func discard(_ request: Request) async throws -> HeldView { try await decide(request, .discarded) }

    private func decide(_ request: Request, _ status: HeldBatchModel.Status) async throws -> HeldView {
        guard let id = request.parameters.get("batch", as: UUID.self) else { throw APIError.notFound("held batch") }
        let scope = try request.workspace
        return try HeldView(try await heldBatches(request.db).decide(batchID: id, status, workspaceID: scope.workspaceID, actor: scope.actor), people: nil)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension ManagementRoutes.ConnectionInput {
    /// Reads every field as given, and tells `"seat_limit": null` (remove the limit) from a request
    /// that leaves `seat_limit` out (keep it), which optional properties alone cannot.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceId = try container.decodeIfPresent(UUID.self, forKey: .sourceId)
        preset = try container.decodeIfPresent(String.self, forKey: .preset)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        paused = try container.decodeIfPresent(Bool.self, forKey: .paused)
        incrementalInterval = try container.decodeIfPresent(Int.self, forKey: .incrementalInterval)
        fullInterval = try container.decodeIfPresent(Int.self, forKey: .fullInterval)
        seatLimit = try container.decodeIfPresent(Int.self, forKey: .seatLimit)
        clearsSeatLimit = container.contains(.seatLimit) && seatLimit == nil
        scim = try container.decodeIfPresent(ManagementRoutes.SCIMInput.self, forKey: .scim)
    }
}

extension SourceInput: Content {}
