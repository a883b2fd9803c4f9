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
        routes.workspaceAPI.on(.GET, .ownWorkspace, use: ownWorkspace)
        let admin = routes.grouped(AdminAuthenticator(digest: adminDigest))
        admin.on(.GET, .workspaces, use: list)
        admin.on(.POST, .workspaces, use: create)
        admin.on(.GET, .workspace(), use: get)
        admin.on(.PATCH, .workspace(), use: update)
        admin.on(.DELETE, .workspace(), use: delete)
        admin.on(.POST, .workspaceTokens(), use: createToken)
    }

    struct WorkspaceView: APIContent {
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
    }

    typealias WorkspaceInput = WorkspaceService.Input

    struct TokenInput: APIContent {
        var name: String?
        var readOnly: Bool?

        enum CodingKeys: CodingKey, CaseIterable {
            case name, readOnly
        }
    }

    /// A token as created: the secret text appears in this answer only.
    struct TokenView: APIContent {
        var id: UUID
        var name: String
        var prefix: String
        var scopes: [String]
        var token: String

        init(_ token: WorkspaceService.NewToken) throws {
            id = try token.model.requireID()
            name = token.model.name
            prefix = token.model.prefix
            scopes = token.model.scopes
            self.token = token.text
        }
    }

    struct Created: APIContent {
        var workspace: WorkspaceView
        var token: TokenView
    }

    func ownWorkspace(_ request: Request) async throws -> WorkspaceView {
        guard let model = try? await workspaces(request).find(try request.workspace.workspaceID) else { throw APIError.unauthorized }
        return try WorkspaceView(model)
    }

    func workspaces(_ request: Request) -> WorkspaceService { WorkspaceService(database: request.db, now: now) }

    func list(_ request: Request) async throws -> API.List<WorkspaceView> {
        API.List(data: try await workspaces(request).all().map(WorkspaceView.init))
    }

    /// Creates a workspace and its first read-write token.
    func create(_ request: Request) async throws -> Response {
        let input = try request.strictContent(WorkspaceInput.self)
        let (workspace, token) = try await workspaces(request).create(input, defaultTimeZone: defaultTimeZone, actor: "admin token")
        return try API.encode(Created(workspace: try WorkspaceView(workspace), token: try TokenView(token)), status: .created)
    }

    func get(_ request: Request) async throws -> WorkspaceView {
        try WorkspaceView(try await workspace(request))
    }

    func update(_ request: Request) async throws -> WorkspaceView {
        let workspace = try await workspace(request)
        let input = try request.strictContent(WorkspaceInput.self)
        try await workspaces(request).update(workspace, input)
        return try WorkspaceView(workspace)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        let workspace = try await workspace(request)
        let id = try workspace.requireID()
        try await workspaces(request).delete(workspace)
        request.logger.notice("workspace deleted", metadata: ["workspace": "\(id)"])
        return .noContent
    }

    func createToken(_ request: Request) async throws -> Response {
        let workspace = try await workspace(request)
        let input = try request.strictContent(TokenInput.self)
        let token = try await workspaces(request).createToken(workspace, name: input.name, readOnly: input.readOnly ?? false, actor: "admin token")
        return try API.encode(try TokenView(token), status: .created)
    }

    private func workspace(_ request: Request) async throws -> WorkspaceModel {
        try await workspaces(request).find(request.parameters.get(.workspace, as: UUID.self))
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
                           message: "Send the hub's admin token (ROLLCALL_ADMIN_TOKEN) as `Authorization: Bearer "
                                    + "…`; workspace tokens cannot manage workspaces.")
        }
        return try await next.respond(to: request)
    }
}
