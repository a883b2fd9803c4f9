import Fluent
import Vapor

/// The workspace a request's bearer token belongs to.
struct WorkspaceScope: Sendable {
    let workspaceID: UUID
    let scopes: [String]
    /// Names the actor in audit records: the token's name and first characters, never the token.
    var actor: String = "api token"
}

extension Request {
    /// Set by `TokenAuthenticator` on every `/api/v1` request.
    var workspace: WorkspaceScope {
        get throws {
            guard let scope = storage[WorkspaceScopeKey.self] else { throw APIError.unauthorized }
            return scope
        }
    }
}

struct WorkspaceScopeKey: StorageKey {
    typealias Value = WorkspaceScope
}

/// Resolves `Authorization: Bearer rc_…` to its workspace, or answers 401.
struct TokenAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token, let model = try await APITokens.find(token, on: request.db) else {
            throw APIError.unauthorized
        }
        if request.method != .GET, !model.scopes.contains("write") {
            throw APIError(status: .forbidden, code: "forbidden", message: "This token may only read (scope read).")
        }
        request.storage[WorkspaceScopeKey.self] = WorkspaceScope(workspaceID: model.$workspace.id, scopes: model.scopes,
                                                                   actor: "api token \(model.name) (\(model.prefix)…)")
        return try await next.respond(to: request)
    }
}
