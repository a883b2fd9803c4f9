import Fluent
import FluentSQL
import Foundation
import Provisioning
import SyncEngine

/// Connections of a workspace: made from a preset (a SCIM app's settings checked live and its token
/// sealed), changed with every change audited, withheld attributes accepted, deleted (API, the
/// dashboard's wizard and settings page).
struct ConnectionService: Sendable {
    let database: any Database
    let environment: HubEnvironment

    /// A connection of the workspace.
    static func find(_ id: UUID?, workspaceID: UUID, on database: any Database) async throws -> ConnectionModel {
        guard let id, let model = try await ConnectionModel.query(on: database).filter(\.$id == id)
            .filter(\.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("connection") }
        return model
    }

    /// The workspace's connections, oldest first (`byName`: by name).
    static func all(workspaceID: UUID, byName: Bool = false, on database: any Database) async throws -> [ConnectionModel] {
        let query = ConnectionModel.query(on: database).filter(\.$workspace.$id == workspaceID)
        return try await (byName ? query.sort(\.$name) : query.sort(\.$createdAt)).all()
    }

    /// The connection's people by name (`search`: in the name or the fields), at most `limit`.
    static func people(of connectionID: UUID, matching search: String?, limit: Int, on database: any Database) async throws -> [LinkModel] {
        var query = LinkModel.query(on: database).filter(\.$connection.$id == connectionID).sort(\.$displayName).limit(limit)
        if let search { query = query.group(.or) { $0.filter(\.$displayName ~~ search).filter(\.$fields ~~ search) } }
        return try await query.all()
    }

    /// One person's links in these connections.
    static func links(of personioID: Int, in connectionIDs: [UUID], on database: any Database) async throws -> [LinkModel] {
        try await LinkModel.query(on: database).filter(\.$personioID == personioID).filter(\.$connection.$id ~~ connectionIDs).all()
    }

    /// The connection's changes after `cursor`, oldest first, at most `limit`.
    static func changes(of connectionID: UUID, after cursor: Int, limit: Int, on database: any Database) async throws -> [DirectoryChangeModel] {
        try await DirectoryChangeModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$id > cursor).sort(\.$id)
            .limit(limit).all()
    }

    /// The display names of these people in the connection, by Personio id (from its links).
    static func displayNames(of personioIDs: Set<Int>, in connectionID: UUID, on database: any Database) async throws -> [Int: String] {
        try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$personioID ~~ Array(personioIDs)).all()
            .reduce(into: [Int: String]()) { $0[$1.personioID] = $1.displayName }
    }

    /// Validates the SCIM settings with a live discovery call and seals the token for the connection.
    private func scimSettings(_ input: SCIMInput?, connectionID: UUID) async throws -> SCIMTargetSettings {
        guard let input else { throw ServiceError.invalid("scim", "a scim target needs scim.base_url and scim.token") }
        let base = try InputRules.httpAddress(input.baseURL, field: "scim.base_url",
                                              message: "scim.base_url is the app's SCIM 2.0 base URL, e.g. https://app.example/scim/v2").text
        try await OutboundCheck.check(base, .scim, field: "scim.base_url", with: environment)
        guard let token = input.token, !token.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServiceError.invalid("scim.token", "scim.token is the bearer token the app issued for SCIM")
        }
        let field = input.userNameField ?? "email"
        guard !field.isEmpty else { throw ServiceError.invalid("scim.user_name_field", "scim.user_name_field names a mapped field, e.g. email") }
        var correlation: [SCIMConfiguration.Correlation]?
        if let names = input.correlation {
            guard !names.isEmpty else { throw ServiceError.invalid("scim.correlation", "scim.correlation lists externalId, userName and/or email") }
            correlation = try names.enumerated().map { index, name in
                guard let way = SCIMConfiguration.Correlation(rawValue: name) else {
                    throw ServiceError.invalid("scim.correlation[\(index)]", "\(name) is not externalId, userName or email")
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
            let client = SCIMClient(configuration: settings.configuration(token: token), transport: environment.scimTransport)
            settings.omitted = SCIMTarget(client: client, provider: try await client.discover()).omittedAttributes
        } catch {
            let failure: TargetFailure = error
            let field = failure.code.hasPrefix("scim_401") || failure.code.hasPrefix("scim_403") ? "scim.token" : "scim.base_url"
            throw ServiceError(.invalid, code: "target_rejected", message: failure.explanation, field: field)
        }
        settings.sealedToken = try environment.vault.seal(token, context: SCIMTargetSettings.tokenContext(connectionID))
        return settings
    }

    /// Creates a connection from a preset; the notes say which fields the preset found among the
    /// credential's custom attributes, and which it did not.
    func create(_ input: ConnectionInput, workspaceID: UUID, actor: String) async throws -> ConnectionModel {
        try await createWithNotes(input, workspaceID: workspaceID, actor: actor).connection
    }

    func createWithNotes(_ input: ConnectionInput, workspaceID: UUID, actor: String) async throws -> (connection: ConnectionModel, notes: [String]) {
        try input.validate()
        guard let sourceID = input.sourceID else { throw ServiceError.invalid("source_id", "source_id is required") }
        guard try await SourceModel.query(on: database).filter(\.$id == sourceID).filter(\.$workspace.$id == workspaceID)
            .first() != nil else { throw ServiceError.invalid("source_id", "no source with that id in this workspace") }
        let presets = Preset.all.filter { $0.direction == .fromPersonio }
        guard let presetID = input.preset, let preset = presets.first(where: { $0.id == presetID }) else {
            throw ServiceError.invalid("preset", "preset must be one of \(presets.map(\.id).joined(separator: ", "))")
        }
        guard let target = TargetKind(rawValue: input.target ?? TargetKind.feed.rawValue) else {
            throw ServiceError.invalid("target", "target must be feed or scim")
        }
        // A SCIM connection keeps no personal fields (data minimisation): only ids, name, state, fingerprint.
        var rules = preset.rules(storesFields: target == .feed)
        rules.policy.seatLimit = input.seatLimit
        let connectionID = UUID()
        var targetConfig = "{}"
        if target == .scim {
            targetConfig = try StoredJSON.text(try await scimSettings(input.scim, connectionID: connectionID))
        } else if input.scim != nil {
            throw ServiceError.invalid("scim", "scim settings belong to a connection whose target is scim")
        }
        var notes: [String] = []
        if input.mapping == nil {
            let labelled = await labelledFields(of: preset, sourceID: sourceID)
            rules.mapping.fields += labelled.fields.filter { field in !rules.mapping.fields.contains { $0.target == field.target } }
            notes = labelled.notes
        }
        let connection = ConnectionModel(workspaceID: workspaceID, sourceID: sourceID, name: input.name ?? preset.title,
                                         preset: preset.id, targetKind: target, targetConfig: targetConfig, rules: try StoredJSON.text(rules),
                                         incrementalInterval: input.incrementalInterval ?? preset.incrementalInterval,
                                         fullInterval: input.fullInterval ?? preset.fullInterval, paused: input.paused ?? false)
        connection.id = connectionID
        if let json = input.mapping {
            rules.mapping = try await checkedMapping(json, for: connection, current: Mapping([]))
            try connection.setRules(rules)
        }
        if let json = input.scope {
            rules.scope = try await checkedScope(json, for: connection, current: .everyone)
            try connection.setRules(rules)
        }
        try await connection.create(on: database)
        try await AuditLog(database: database).record(.connectionCreated, workspaceID: workspaceID, actor: actor,
                                                      subject: "connection \(connectionID)", detail: "\(connection.name) (\(preset.id), \(target))",
                                  at: environment.now())
        return (connection, notes)
    }

    /// An admin accepts that Personio no longer shares these attributes : from the
    /// next run their values read as empty, so fields from them are cleared and rules that need them apply.
    func acceptWithheld(_ attributes: [String], of connection: ConnectionModel, workspaceID: UUID, actor: String) async throws {
        var sharing = connection.sharing
        guard !attributes.isEmpty else {
            throw ServiceError.invalid("attributes", "attributes is required: the withheld attributes to accept, e.g. [\"department\"]")
        }
        for attribute in attributes where sharing.withheld[attribute] == nil {
            let withheld = sharing.withheld.keys.sorted()
            throw ServiceError.invalid("attributes", "\(attribute) is not withheld from this connection"
                + (withheld.isEmpty ? " (nothing is)" : "; withheld: \(withheld.joined(separator: ", "))"))
        }
        sharing.accept(attributes)
        try connection.setSharing(sharing)
        try await connection.save(on: database)
        try await AuditLog(database: database).record(.connectionWithheldAccepted, workspaceID: workspaceID, actor: actor,
                                                      subject: "connection \(try connection.requireID())",
                                  detail: "\(connection.name): no longer shared by Personio: \(attributes.sorted().joined(separator: ", "))",
                                  at: environment.now())
    }

    /// Changes a connection's settings  and records what changed in the audit log,
    /// never the SCIM token. `scim` without a token keeps the stored one (checked again against the
    /// app). A shorter interval brings the next run forward.
    func update(_ connection: ConnectionModel, _ input: ConnectionInput, workspaceID: UUID, actor: String) async throws {
        try input.validate()
        if input.sourceID != nil { throw ServiceError.invalid("source_id", "a connection's source cannot change; create a new connection") }
        if input.preset != nil { throw ServiceError.invalid("preset", "a connection's preset cannot change; create a new connection") }
        if input.target != nil { throw ServiceError.invalid("target", "a connection's target cannot change; create a new connection") }
        let id = try connection.requireID()
        var changes: [String] = []
        if let scim = input.scim { changes.append(try await updateSCIM(connection, scim, id: id)) }
        changes += updateSchedule(connection, input)
        changes += try await updateRules(connection, input)
        guard !changes.isEmpty else { return }
        try await connection.save(on: database)
        try await AuditLog(database: database).record(.connectionUpdated, workspaceID: workspaceID, actor: actor, subject: "connection \(id)",
                                                      detail: "\(connection.name): \(changes.joined(separator: ", "))", at: environment.now())
    }

    /// New SCIM settings over the stored ones (a missing token keeps the stored one), checked against the app.
    private func updateSCIM(_ connection: ConnectionModel, _ input: SCIMInput, id: UUID) async throws -> String {
        guard let current = try connection.scimSettings() else {
            throw ServiceError.invalid("scim", "scim settings belong to a connection whose target is scim")
        }
        var scim = input
        if scim.token == nil { scim.token = try environment.vault.open(current.sealedToken, context: SCIMTargetSettings.tokenContext(id)) }
        scim.baseURL = scim.baseURL ?? current.baseURL
        scim.deletes = scim.deletes ?? current.deletes
        scim.userNameField = scim.userNameField ?? current.userNameField
        scim.correlation = scim.correlation ?? current.correlation?.map(\.rawValue)
        scim.compatibility = scim.compatibility ?? CompatibilityInput(preset: current.compatibilityPreset, current.compatibility)
        let settings = try await scimSettings(scim, connectionID: id)
        try connection.setSCIMSettings(settings)
        var change = "SCIM app \(settings.baseURL)\(input.token == nil ? "" : ", new token")"
        if settings.effectiveCompatibility != current.effectiveCompatibility {
            let summary = settings.effectiveCompatibility.summary
            change += "; compatibility: " + (summary.isEmpty ? "as the app announces" : summary.joined(separator: ", "))
        }
        return change
    }

    /// Name, pause and intervals; a shorter interval brings the next run forward.
    private func updateSchedule(_ connection: ConnectionModel, _ input: ConnectionInput) -> [String] {
        var changes: [String] = []
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
            let soonest = environment.now().addingTimeInterval(TimeInterval(interval))
            if let next = connection.nextRunAt, next > soonest { connection.nextRunAt = soonest }
        }
        if let interval = input.fullInterval, interval != connection.fullInterval {
            changes.append("full listing every \(interval) s")
            connection.fullInterval = interval
        }
        return changes
    }

    /// Mapping, scope and seat limit; a new mapping or scope makes the next run read everyone.
    private func updateRules(_ connection: ConnectionModel, _ input: ConnectionInput) async throws -> [String] {
        var changes: [String] = []
        var rules = try connection.connectionRules()
        if let json = input.mapping {
            let mapping = try await checkedMapping(json, for: connection, current: rules.mapping)
            if let change = MappingInput.changes(from: rules.mapping, to: mapping) {
                changes.append(change)
                rules.mapping = mapping
                try connection.setRules(rules)
                // fingerprints change: the next run reads everyone and sends whom the new mapping changes
                connection.scheduleFullListing(now: environment.now())
            }
        }
        if let json = input.scope {
            let scope = try await checkedScope(json, for: connection, current: rules.scope)
            if scope != rules.scope {
                changes.append("scope: \(ScopeInput.describe(scope))")
                rules.scope = scope
                try connection.setRules(rules)
                // who is in scope is decided on everyone: the next run reads everyone
                connection.scheduleFullListing(now: environment.now())
            }
        }
        let limit = input.clearsSeatLimit ? nil : input.seatLimit ?? rules.policy.seatLimit
        if limit != rules.policy.seatLimit {
            changes.append(limit.map { "seat limit \($0)" } ?? "no seat limit")
            rules.policy.seatLimit = limit
            try connection.setRules(rules)
        }
        return changes
    }

    /// How many people each connection has in each state, in one grouped query (the overview shows
    /// many connections).
    func peopleByState(_ connectionIDs: [UUID]) async throws -> [UUID: [LinkState: Int]] {
        guard !connectionIDs.isEmpty, let sql = database as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("connection_id").column("state").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "people")
            .from(LinkModel.schema).where("connection_id", .in, connectionIDs).groupBy("connection_id").groupBy("state").all()
        var counts: [UUID: [LinkState: Int]] = [:]
        for row in rows {
            let id = try row.decode(column: "connection_id", as: UUID.self)
            guard let state = LinkState(rawValue: try row.decode(column: "state", as: String.self)) else { continue }
            counts[id, default: [:]][state] = try row.decode(column: "people", as: Int.self)
        }
        return counts
    }

    /// Pauses a connection (no runs until resumed) or resumes it (the next run is due now); audited as
    /// `connection.paused` / `connection.resumed` (the dashboard's buttons).
    func setPaused(_ connection: ConnectionModel, _ paused: Bool, workspaceID: UUID, actor: String) async throws {
        connection.paused = paused
        if !paused { connection.nextRunAt = environment.now() }
        try await connection.save(on: database)
        try await AuditLog(database: database).record(paused ? .connectionPaused : .connectionResumed, workspaceID: workspaceID, actor: actor,
                                                      subject: "connection \(try connection.requireID())", detail: connection.name,
                                                      at: environment.now())
    }

    /// Deletes the connection and purges what it stored about people (links, feed, runs); audited.
    func delete(_ connection: ConnectionModel, workspaceID: UUID, actor: String) async throws {
        try await AuditLog(database: database).record(.connectionDeleted, workspaceID: workspaceID, actor: actor,
                                                      subject: "connection \(try connection.requireID())", detail: connection.name,
                                                      at: environment.now())
        try await connection.delete(on: database)
    }
}
