import Crypto
import Fluent
import Foundation
import Vapor

/// Workspaces and their tokens, for the operator of the hub: every route needs the admin token
/// (`ROLLCALL_ADMIN_TOKEN`), never a workspace's. Without an admin token configured the routes
/// answer 403 and say how to turn them on. `GET /api/v1/workspace` is the one route here for a
/// workspace token: it shows the token's own workspace.
struct WorkspaceRoutes: RouteCollection {
    /// SHA-256 of the admin token; nil when none is configured.
    let adminDigest: SHA256.Digest?
    let defaultTimeZone: String
    let now: @Sendable () -> Date

    init(adminToken: String?, defaultTimeZone: String, now: @escaping @Sendable () -> Date) {
        adminDigest = adminToken.map { SHA256.hash(data: Data($0.utf8)) }
        self.defaultTimeZone = defaultTimeZone
        self.now = now
    }

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1
        api.grouped(TokenAuthenticator()).get("workspace", use: ownWorkspace)
        let admin = api.grouped(AdminAuthenticator(digest: adminDigest))
        admin.get("workspaces", use: list)
        admin.post("workspaces", use: create)
        admin.get("workspaces", ":workspace", use: get)
        admin.patch("workspaces", ":workspace", use: update)
        admin.delete("workspaces", ":workspace", use: delete)
        admin.post("workspaces", ":workspace", "tokens", use: createToken)
    }

    struct WorkspaceView: Content {
        var id: UUID
        var name: String
        var timeZone: String
        var createdAt: Date?

        init(_ model: WorkspaceModel) throws {
            id = try model.requireID()
            name = model.name
            timeZone = model.timeZone
            createdAt = model.createdAt
        }

        enum CodingKeys: String, CodingKey {
            case id, name
            case timeZone = "time_zone", createdAt = "created_at"
        }
    }

    struct WorkspaceInput: Content {
        var name: String?
        var timeZone: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case timeZone = "time_zone"
        }

        func validate() throws(APIError) {
            if let name {
                if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("name", "name must not be empty") }
                if name.count > 200 { throw .invalid("name", "name is at most 200 characters") }
            }
            if let timeZone, TimeZone(identifier: timeZone) == nil {
                throw .invalid("time_zone", "\(timeZone) is not an IANA time zone such as Europe/Berlin")
            }
        }
    }

    struct TokenInput: Content {
        var name: String?
        var readOnly: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case readOnly = "read_only"
        }
    }

    /// A token as created: the secret text appears in this answer only.
    struct TokenView: Content {
        var id: UUID
        var name: String
        var prefix: String
        var scopes: [String]
        var token: String
    }

    struct Created: Content {
        var workspace: WorkspaceView
        var token: TokenView
    }

    func ownWorkspace(_ request: Request) async throws -> WorkspaceView {
        guard let model = try await WorkspaceModel.find(try request.workspace.workspaceID, on: request.db) else {
            throw APIError.unauthorized
        }
        return try WorkspaceView(model)
    }

    func list(_ request: Request) async throws -> API.List<WorkspaceView> {
        let models = try await WorkspaceModel.query(on: request.db).sort(\.$createdAt).all()
        return API.List(data: try models.map(WorkspaceView.init))
    }

    /// Creates a workspace and its first read-write token.
    func create(_ request: Request) async throws -> Response {
        let input = try request.strictContent(WorkspaceInput.self)
        try input.validate()
        guard let name = input.name else { throw APIError.invalid("name", "name is required") }
        let workspace = WorkspaceModel(name: name.trimmingCharacters(in: .whitespaces), timeZone: input.timeZone ?? defaultTimeZone)
        let (workspaceView, tokenView) = try await request.db.transaction { database in
            try await workspace.save(on: database)
            let id = try workspace.requireID()
            let token = try await Self.token(for: id, name: "first token", readOnly: false, on: database)
            try await AuditLog(database: database).record(.workspaceCreated, workspaceID: id, actor: "admin token", subject: "workspace \(id)",
                                      detail: workspace.name, at: now())
            return (try WorkspaceView(workspace), token)
        }
        return try API.encode(Created(workspace: workspaceView, token: tokenView), status: .created)
    }

    func get(_ request: Request) async throws -> WorkspaceView {
        try WorkspaceView(try await workspace(request))
    }

    func update(_ request: Request) async throws -> WorkspaceView {
        let workspace = try await workspace(request)
        let input = try request.strictContent(WorkspaceInput.self)
        try input.validate()
        if let name = input.name { workspace.name = name.trimmingCharacters(in: .whitespaces) }
        if let timeZone = input.timeZone { workspace.timeZone = timeZone }
        try await workspace.save(on: request.db)
        return try WorkspaceView(workspace)
    }

    /// Deletes the workspace with everything it holds: tokens, sources (and their secrets),
    /// connections, links, feeds and runs.
    func delete(_ request: Request) async throws -> HTTPStatus {
        let workspace = try await workspace(request)
        let id = try workspace.requireID()
        try await workspace.delete(on: request.db)
        request.logger.notice("workspace deleted", metadata: ["workspace": "\(id)"])
        return .noContent
    }

    func createToken(_ request: Request) async throws -> Response {
        let workspace = try await workspace(request)
        let input = try request.strictContent(TokenInput.self)
        let name = input.name?.trimmingCharacters(in: .whitespaces) ?? "api token"
        guard !name.isEmpty, name.count <= 200 else { throw APIError.invalid("name", "name must be 1 to 200 characters") }
        let id = try workspace.requireID()
        let token = try await Self.token(for: id, name: name, readOnly: input.readOnly ?? false, on: request.db)
        try await AuditLog(database: request.db).record(.tokenCreated, workspaceID: id, actor: "admin token", subject: "token \(token.id)",
                                                        detail: "\(name) (\(token.scopes.joined(separator: ", ")))", at: now())
        return try API.encode(token, status: .created)
    }

    private func workspace(_ request: Request) async throws -> WorkspaceModel {
        guard let id = request.parameters.get("workspace", as: UUID.self), let model = try await WorkspaceModel.find(id, on: request.db) else {
            throw APIError(status: .notFound, code: "not_found", message: "No workspace with that id.")
        }
        return model
    }

    static func token(for workspaceID: UUID, name: String, readOnly: Bool, on database: any Database) async throws -> TokenView {
        let (token, model) = try await APITokens.create(workspaceID: workspaceID, name: name, scopes: readOnly ? ["read"] : ["read", "write"],
                                                        on: database)
        return TokenView(id: try model.requireID(), name: model.name, prefix: model.prefix, scopes: model.scopes, token: token)
    }
}

/// Lets a request through only with the hub's admin token.
struct AdminAuthenticator: AsyncMiddleware {
    let digest: SHA256.Digest?

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let digest else {
            throw APIError(status: .forbidden, code: "admin_api_disabled",
                           message: "Workspace administration over the API is off: start the hub with ROLLCALL_ADMIN_TOKEN set.")
        }
        // Compares digests, so the time taken says nothing about the token.
        guard let token = request.headers.bearerAuthorization?.token, SHA256.hash(data: Data(token.utf8)) == digest else {
            throw APIError(status: .unauthorized, code: "unauthorized",
                           message: "Send the hub's admin token (ROLLCALL_ADMIN_TOKEN) as `Authorization: Bearer …`; workspace tokens cannot manage workspaces.")
        }
        return try await next.respond(to: request)
    }
}
