import Fluent
import Foundation
import PersonioAPI
import SyncEngine

/// Personio sources of a workspace: connected only when Personio accepts the credentials (checked
/// live, with every attribute the presets need and where to fix it), key rotation, deletion (API,
/// dashboard).
struct SourceService: Sendable {
    let database: any Database
    let environment: HubEnvironment

    /// What every Personio → app preset needs, and what some use.
    static var requiredAttributes: [String] { ["first_name", "last_name", "email"] }
    static var optionalAttributes: [String] {
        Array(Set(Preset.all.filter { $0.direction == .fromPersonio }.flatMap { $0.requiredAttributes + $0.optionalAttributes })
            .subtracting(requiredAttributes)).sorted()
    }

    /// The workspace's sources, oldest first.
    func all(workspaceID: UUID) async throws -> [SourceModel] {
        try await SourceModel.query(on: database).filter(\.$workspace.$id == workspaceID).sort(\.$createdAt).all()
    }

    /// A source of the workspace.
    static func find(_ id: UUID?, workspaceID: UUID, on database: any Database) async throws -> SourceModel {
        guard let id, let model = try await SourceModel.query(on: database).filter(\.$id == id)
            .filter(\.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("source") }
        return model
    }

    /// Connects a source: the credentials are checked live against `required` (default: what every
    /// preset needs) and stored only when Personio accepts them.
    func connect(_ input: SourceInput, workspaceID: UUID, actor: String,
                 required: [String] = SourceService.requiredAttributes) async throws -> (SourceModel, PersonioDiagnosis) {
        let credentials = try input.credentials()
        let baseURL = try input.validatedBaseURL()
        try await OutboundCheck.check(baseURL, .personio, field: "base_url", with: environment)
        let name = input.name?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? "Personio"
        let partnerID = input.partnerID?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let appID = input.appID?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let apiVersion = try SourceInput.validatedAPIVersion(input.apiVersion) ?? .v1
        let diagnosis = await diagnose(baseURL: baseURL, credentials, partnerID: partnerID, appID: appID, apiVersion: apiVersion,
                                       required: required)
        guard diagnosis.credentialsValid else { throw Self.rejected(diagnosis) }
        let webURL = try SourceInput.validatedWebURL(input.webURL)
        let source = SourceModel(workspaceID: workspaceID, name: name, baseURL: baseURL, clientID: credentials.clientID,
                                 sealedClientSecret: "", partnerID: partnerID, appID: appID)
        source.webURL = webURL
        source.apiVersion = apiVersion.rawValue
        source.id = UUID()
        source.sealedClientSecret = try environment.vault.seal(credentials.clientSecret, context: HubEnvironment.secretContext(source))
        try await source.create(on: database)
        try await audit(workspaceID, actor, .sourceCreated, subject: source, detail: "client id \(credentials.clientID)")
        return (source, diagnosis)
    }

    /// Checks a stored source's credentials again (after fixing its attributes in Personio). `optional`:
    /// the attributes also listed (default: every one some preset uses).
    func recheck(_ source: SourceModel, required: [String] = SourceService.requiredAttributes,
                 optional: [String]? = nil) async throws -> PersonioDiagnosis {
        await diagnose(with: try await environment.personioClient(for: source), required: required, optional: optional)
    }

    /// What the source's connections need of the credential: the attributes their policies require,
    /// and the others their lifecycle, mapping and scope read; nil when it has no connections yet.
    func requirements(of source: SourceModel) async throws -> (required: [String], optional: [String])? {
        let connections = try await ConnectionModel.query(on: database).filter(\.$source.$id == source.requireID()).all()
        let rules = connections.compactMap { try? $0.connectionRules() }
        guard !rules.isEmpty else { return nil }
        var required = Self.requiredAttributes
        for key in rules.flatMap(\.policy.requiredAttributes).map(Employee.sourceAttribute(of:)) where !required.contains(key) && key != "id" {
            required.append(key)
        }
        let optional = Set(rules.flatMap(\.attributesReliedOn)).subtracting(required).subtracting(["id"]).sorted()
        return (required, optional)
    }

    /// Replaces a source's key ("change the key") once Personio accepted the new one.
    func rotate(_ source: SourceModel, _ input: SourceInput, workspaceID: UUID, actor: String) async throws -> PersonioDiagnosis {
        let credentials = try input.credentials()
        let diagnosis = await diagnose(baseURL: source.baseURL, credentials, partnerID: source.partnerID, appID: source.appID,
                                       apiVersion: source.personioAPI)
        guard diagnosis.credentialsValid else { throw Self.rejected(diagnosis) }
        source.clientID = credentials.clientID
        source.sealedClientSecret = try environment.vault.seal(credentials.clientSecret, context: HubEnvironment.secretContext(source))
        try await source.save(on: database)
        try await audit(workspaceID, actor, .sourceCredentialsRotated, subject: source, detail: "client id \(credentials.clientID)")
        return diagnosis
    }

    /// Renames the source or sets its Personio address in the browser; audited.
    func update(_ source: SourceModel, _ input: SourceSettingsInput, workspaceID: UUID, actor: String) async throws {
        var changes: [String] = []
        let address = try SourceInput.validatedWebURL(input.webURL)  // checked before anything changes
        let apiVersion = try SourceInput.validatedAPIVersion(input.apiVersion)
        if let name = input.name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100 else { throw ServiceError.invalid("name", "name is 1 to 100 characters") }
            if trimmed != source.name {
                changes.append("renamed from \(source.name)")
                source.name = trimmed
            }
        }
        if input.webURL != nil || input.clearsWebURL {
            if address != source.webURL {
                changes.append(address.map { "Personio address \($0)" } ?? "no Personio address")
                source.webURL = address
            }
        }
        if let apiVersion, apiVersion != source.personioAPI {
            changes.append("reads through Personio \(apiVersion.rawValue) (was \(source.personioAPI.rawValue))")
            source.apiVersion = apiVersion.rawValue
        }
        guard !changes.isEmpty else { return }
        try await source.save(on: database)
        try await audit(workspaceID, actor, .sourceUpdated, subject: source, detail: "\(source.name): \(changes.joined(separator: ", "))")
    }

    /// Deletes the source with its connections and everything stored about their people, once the
    /// source's name is typed as `confirm` (an integration is deleted only after confirming).
    func delete(_ source: SourceModel, confirm: String?, workspaceID: UUID, actor: String) async throws {
        let connections = try await ConnectionModel.query(on: database).filter(\.$source.$id == source.requireID()).count()
        let what = connections == 0 ? "the source" : "the source, its \(connections) connection\(connections == 1 ? "" : "s") and everything "
            + "they stored about people"
        guard let typed = confirm?.trimmingCharacters(in: .whitespaces), !typed.isEmpty else {
            throw ServiceError.invalid("confirm", "Deleting removes \(what). Confirm with the source's name: confirm=\(source.name)")
        }
        guard typed == source.name else {
            throw ServiceError.invalid("confirm", "The name does not match: type the source's name exactly (\(source.name)); nothing was deleted")
        }
        try await audit(workspaceID, actor, .sourceDeleted, subject: source,
                        detail: "\(source.name) (\(connections) connection\(connections == 1 ? "" : "s"))")
        try await source.delete(on: database)
    }

    private func diagnose(baseURL: String, _ credentials: CredentialsInput, partnerID: String?, appID: String?,
                          apiVersion: PersonioAPIVersion.Choice, required: [String] = SourceService.requiredAttributes) async -> PersonioDiagnosis {
        let client = await environment.clients.client(baseURL: baseURL, credentials: PersonioCredentials(
            clientID: credentials.clientID, clientSecret: credentials.clientSecret, partnerID: partnerID, appID: appID), apiVersion: apiVersion)
        return await diagnose(with: client, required: required)
    }

    /// `required`, and `optional` (default: every other attribute some preset uses as optional).
    private func diagnose(with client: PersonioClient, required: [String], optional: [String]? = nil) async -> PersonioDiagnosis {
        let optional = optional ?? Set(Self.requiredAttributes + Self.optionalAttributes).subtracting(required).sorted()
        return await client.diagnose(required: required, optional: optional)
    }

    /// Why the credentials were not stored: Personio refused them, or could not be asked at all (then
    /// the base URL is what to check, not the secret).
    static func rejected(_ diagnosis: PersonioDiagnosis) -> ServiceError {
        let reason = diagnosis.error.map { "\($0.explanation) \($0.remedy)" } ?? "Personio did not accept the credentials."
        switch diagnosis.error {
        case .unreachable?, .malformedResponse?, .refused?, .notFound?:
            return ServiceError(.invalid, code: "personio_unreachable", message: reason, field: "base_url")
        default:
            return ServiceError(.invalid, code: "credentials_rejected", message: reason, field: "client_secret")
        }
    }

    private func audit(_ workspaceID: UUID, _ actor: String, _ action: AuditAction, subject: SourceModel, detail: String) async throws {
        try await AuditLog(database: database).record(action, workspaceID: workspaceID, actor: actor, subject: "source \(try subject.requireID())",
                                                      detail: detail, at: environment.now())
    }
}
