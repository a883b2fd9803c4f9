import Fluent
import Foundation
import PersonioAPI
import Provisioning
import SyncEngine
import Vapor

/// Sources, connections and held batches of the token's workspace.
struct ManagementRoutes: RouteCollection {
    let environment: HubEnvironment

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.GET, .sources, use: listSources)
        api.on(.POST, .sources, use: createSource)
        api.on(.PUT, .sourceCredentials(), use: rotateCredentials)
        api.on(.DELETE, .source(), use: deleteSource)
        api.on(.PATCH, .source(), use: updateSource)
        api.on(.POST, .connections, use: createConnection)
        api.on(.PATCH, .connection(), use: updateConnection)
        api.on(.DELETE, .connection(), use: deleteConnection)
        api.on(.POST, .connectionWithheldAccept(), use: acceptWithheld)
        api.on(.POST, .connectionMappingPreview(), use: previewMapping)
        api.on(.POST, .connectionScopeCount(), use: countScope)
        api.on(.GET, .connectionHeld(), use: listHeld)
        api.on(.POST, .heldRelease(), use: release)
        api.on(.POST, .heldDiscard(), use: discard)
    }

    // MARK: Sources

    struct SourceView: APIContent {
        var id: UUID
        var name: String
        var baseURL: String
        var clientID: String
        var lastFullAt: Date?
        var webURL: String?
        var apiVersion: String

        init(_ model: SourceModel) throws {
            id = try model.requireID()
            name = model.name
            baseURL = model.baseURL
            clientID = model.clientID
            lastFullAt = model.lastFullAt
            webURL = model.webURL
            apiVersion = model.personioAPI.rawValue
        }
    }

    struct DiagnosisView: APIContent {
        struct Attribute: APIContent {
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
        /// The v2 scopes a source reading through v2 (or auto) needs; empty for v1.
        var v2Scopes: [Scope]

        struct Scope: APIContent {
            var scope: String
            var purpose: String
            var required: Bool
            var granted: Bool
            var remedy: String?
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
            v2Scopes = diagnosis.v2Scopes.map {
                Scope(scope: $0.scope, purpose: $0.purpose, required: $0.required, granted: $0.granted, remedy: $0.remedy)
            }
        }
    }

    struct SourceWithDiagnosis: APIContent {
        var source: SourceView
        var diagnosis: DiagnosisView
    }

    var sources: @Sendable (any Database) -> SourceService {
        { [environment] in SourceService(database: $0, environment: environment) }
    }

    func listSources(_ request: Request) async throws -> API.List<SourceView> {
        API.List(data: try await sources(request.db).all(workspaceID: try request.workspace.workspaceID).map(SourceView.init))
    }

    /// Checks the credentials live (the client's `diagnose`) and stores the source only when
    /// Personio accepts them; the answer lists every attribute the presets need and where to fix it.
    func createSource(_ request: Request) async throws -> Response {
        let input = try request.strictContent(SourceInput.self)
        let scope = try request.workspace
        let (source, diagnosis) = try await sources(request.db).connect(input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.encode(SourceWithDiagnosis(source: try SourceView(source), diagnosis: DiagnosisView(diagnosis)), status: .created)
    }

    /// Renames the source or sets its Personio address in the browser.
    func updateSource(_ request: Request) async throws -> SourceView {
        let source = try await API.source(request)
        let input = try request.strictContent(SourceSettingsInput.self)
        let scope = try request.workspace
        try await sources(request.db).update(source, input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try SourceView(source)
    }

    /// Replaces the client id and secret ("change the key"), after Personio accepted the new ones.
    func rotateCredentials(_ request: Request) async throws -> Response {
        let source = try await API.source(request)
        let input = try request.strictContent(SourceInput.self)
        let scope = try request.workspace
        let diagnosis = try await sources(request.db).rotate(source, input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.encode(SourceWithDiagnosis(source: try SourceView(source), diagnosis: DiagnosisView(diagnosis)), status: .ok)
    }

    /// Deletes the source with its connections and everything stored about their people, confirmed
    /// with `?confirm=<the source's name>`.
    func deleteSource(_ request: Request) async throws -> HTTPStatus {
        let scope = try request.workspace
        let source = try await API.source(request)
        try await sources(request.db).delete(source, confirm: request.query[String.self, at: "confirm"], workspaceID: scope.workspaceID,
                                             actor: scope.actor)
        return .noContent
    }

    // MARK: Connections

    var connections: @Sendable (any Database) -> ConnectionService {
        { [environment] in ConnectionService(database: $0, environment: environment) }
    }

    func createConnection(_ request: Request) async throws -> Response {
        let input = try request.strictContent(ConnectionInput.self)
        let scope = try request.workspace
        let (connection, notes) = try await connections(request.db).createWithNotes(input, workspaceID: scope.workspaceID, actor: scope.actor)
        var view = try API.ConnectionView(connection)
        view.notes = notes.isEmpty ? nil : notes
        return try API.encode(view, status: .created)
    }

    struct PreviewInput: APIContent {
        var mapping: JSONValue?
        var personioID: Int?

        enum CodingKeys: CodingKey, CaseIterable {
            case mapping, personioID
        }
    }

    struct ScopeCountInput: APIContent {
        var scope: JSONValue?

        enum CodingKeys: CodingKey, CaseIterable {
            case scope
        }
    }

    /// How many people a scope (or the stored one) keeps, read live from Personio.
    func countScope(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let input = request.body.data == nil ? ScopeCountInput() : try request.strictContent(ScopeCountInput.self)
        return try API.encode(try await connections(request.db).countScope(connection, json: input.scope), status: .ok)
    }

    /// What a mapping (or the stored one) gives for a real person, before it is saved.
    func previewMapping(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let input = request.body.data == nil ? PreviewInput() : try request.strictContent(PreviewInput.self)
        let preview = try await connections(request.db).previewMapping(connection, json: input.mapping, personioID: input.personioID)
        return try API.encode(preview, status: .ok)
    }

    func updateConnection(_ request: Request) async throws -> API.ConnectionView {
        let connection = try await API.connection(request)
        let input = try request.strictContent(ConnectionInput.self)
        let scope = try request.workspace
        try await connections(request.db).update(connection, input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.ConnectionView(connection)
    }

    struct AcceptInput: APIContent {
        var attributes: [String]?
    }

    func acceptWithheld(_ request: Request) async throws -> API.ConnectionView {
        let connection = try await API.connection(request)
        let input = try request.strictContent(AcceptInput.self)
        let scope = try request.workspace
        try await connections(request.db).acceptWithheld(input.attributes ?? [], of: connection, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.ConnectionView(connection)
    }

    /// Deletes the connection and purges what it stored about people (links, feed, runs).
    func deleteConnection(_ request: Request) async throws -> HTTPStatus {
        let scope = try request.workspace
        try await connections(request.db).delete(try await API.connection(request), workspaceID: scope.workspaceID, actor: scope.actor)
        return .noContent
    }

    // MARK: Held batches

    struct HeldView: APIContent {
        var id: UUID
        var runID: UUID
        var status: String
        var removals: Int
        var linked: Int
        var people: [API.OperationView]?

        init(_ batch: HeldBatchModel, people: [API.OperationView]?) throws {
            id = try batch.requireID()
            runID = batch.$run.id
            status = batch.status.rawValue
            removals = batch.removals
            linked = batch.linked
            self.people = people
        }
    }

    var heldBatches: @Sendable (any Database) -> HeldBatchService {
        { [environment] in HeldBatchService(database: $0, now: environment.now) }
    }

    func listHeld(_ request: Request) async throws -> API.List<HeldView> {
        let connection = try await API.connection(request)
        let views = try await heldBatches(request.db).batches(of: connection.requireID()).map { held in
            try HeldView(held.batch, people: try held.people?.map(API.OperationView.init))
        }
        return API.List(data: views)
    }

    func release(_ request: Request) async throws -> HeldView { try await decide(request, .released) }
    func discard(_ request: Request) async throws -> HeldView { try await decide(request, .discarded) }

    private func decide(_ request: Request, _ status: HeldBatchModel.Status) async throws -> HeldView {
        try request.noBody()
        guard let id = request.parameters.get(.batch, as: UUID.self) else { throw APIError.notFound("held batch") }
        let scope = try request.workspace
        return try HeldView(try await heldBatches(request.db).decide(batchID: id, status, workspaceID: scope.workspaceID, actor: scope.actor),
                            people: nil)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension SourceInput: Content {}

extension ConnectionInput: Content {}
extension SCIMInput: Content {}
extension CompatibilityInput: Content {}
