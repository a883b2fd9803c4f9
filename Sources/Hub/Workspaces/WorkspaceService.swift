import Fluent
import Foundation

/// Workspaces and their API tokens, for the operator of the hub (the admin API and the CLI): made
/// with a first token, renamed or moved to another time zone, deleted with everything in them.
struct WorkspaceService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// A workspace as the operator gives it.
    struct Input: Codable, Sendable {
        var name: String?
        var timeZone: String?

        enum CodingKeys: CodingKey, CaseIterable {
            case name, timeZone
        }

        func validate() throws(ServiceError) {
            if let name {
                if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("name", "name must not be empty") }
                if name.count > 200 { throw .invalid("name", "name is at most 200 characters") }
            }
            if let timeZone, TimeZone(identifier: timeZone) == nil {
                throw .invalid("time_zone", "\(timeZone.prefix(60)) is not an IANA time zone such as Europe/Berlin")
            }
        }
    }

    /// A token as made: its text exists only here (the hub keeps its digest).
    struct NewToken: Sendable {
        var text: String
        var model: APITokenModel
    }

    func all() async throws -> [WorkspaceModel] {
        try await WorkspaceModel.query(on: database).sort(\.$createdAt).all()
    }

    func find(_ id: UUID?) async throws -> WorkspaceModel {
        guard let id, let model = try await WorkspaceModel.find(id, on: database) else {
            throw ServiceError(.notFound, code: "not_found", message: "No workspace with that id.")
        }
        return model
    }

    /// Makes a workspace with its first read-write token (the admin API); audited.
    func create(_ input: Input, defaultTimeZone: String, actor: String) async throws -> (WorkspaceModel, NewToken) {
        let (workspace, token) = try await insert(input, defaultTimeZone: defaultTimeZone, actor: actor, firstToken: true)
        guard let token else { throw ServiceError.conflict("no_token", "The workspace was made without its first token.") }
        return (workspace, token)
    }

    /// Makes a workspace without a token (the CLI makes tokens apart); audited.
    func createWithoutToken(_ input: Input, defaultTimeZone: String, actor: String) async throws -> WorkspaceModel {
        try await insert(input, defaultTimeZone: defaultTimeZone, actor: actor, firstToken: false).0
    }

    private func insert(_ input: Input, defaultTimeZone: String, actor: String, firstToken: Bool) async throws -> (WorkspaceModel, NewToken?) {
        try input.validate()
        guard let name = input.name else { throw ServiceError.invalid("name", "name is required") }
        let workspace = WorkspaceModel(name: name.trimmingCharacters(in: .whitespaces), timeZone: input.timeZone ?? defaultTimeZone)
        return try await database.transaction { database in
            try await workspace.save(on: database)
            let id = try workspace.requireID()
            let service = WorkspaceService(database: database, now: now)
            let token = firstToken ? try await service.token(for: id, name: "first token", readOnly: false) : nil
            try await AuditLog(database: database).record(.workspaceCreated, workspaceID: id, actor: actor, subject: "workspace \(id)",
                                                          detail: workspace.name, at: now())
            return (workspace, token)
        }
    }

    func update(_ workspace: WorkspaceModel, _ input: Input) async throws {
        try input.validate()
        if let name = input.name { workspace.name = name.trimmingCharacters(in: .whitespaces) }
        if let timeZone = input.timeZone { workspace.timeZone = timeZone }
        try await workspace.save(on: database)
    }

    /// Deletes the workspace with everything it holds: tokens, sources (and their secrets),
    /// connections, links, feeds and runs.
    func delete(_ workspace: WorkspaceModel) async throws {
        try await workspace.delete(on: database)
    }

    /// A new API token of the workspace (`read` only, or `read` and `write`); audited.
    func createToken(_ workspace: WorkspaceModel, name: String?, readOnly: Bool, actor: String) async throws -> NewToken {
        let name = name?.trimmingCharacters(in: .whitespaces) ?? "api token"
        guard !name.isEmpty, name.count <= 200 else { throw ServiceError.invalid("name", "name must be 1 to 200 characters") }
        let id = try workspace.requireID()
        let token = try await self.token(for: id, name: name, readOnly: readOnly)
        try await AuditLog(database: database).record(.tokenCreated, workspaceID: id, actor: actor, subject: "token \(try token.model.requireID())",
                                                      detail: "\(name) (\(token.model.scopes.joined(separator: ", ")))", at: now())
        return token
    }

    private func token(for workspaceID: UUID, name: String, readOnly: Bool) async throws -> NewToken {
        let (text, model) = try await APITokens.create(workspaceID: workspaceID, name: name, scopes: readOnly ? ["read"] : ["read", "write"],
                                                       on: database)
        return NewToken(text: text, model: model)
    }
}
