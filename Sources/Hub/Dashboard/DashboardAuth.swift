import Fluent
import Vapor

/// The signed-in person of a dashboard request.
struct DashboardUser: Sendable {
    let id: UUID
    let workspaceID: UUID
    let email: String
    let name: String
    let role: UserModel.Role
    let csrfToken: String

    /// What each role may do; `viewer` only reads.
    enum Permission: Sendable {
        /// Sources, connections, sync, held batches, webhooks.
        case manage
        /// Approving drafts and sending hand-offs.
        case approve
        /// Users, invitations, deleting connections and sources.
        case own
    }

    func may(_ permission: Permission) -> Bool {
        switch permission {
        case .manage: [.owner, .admin].contains(role)
        case .approve: [.owner, .admin, .hr].contains(role)
        case .own: role == .owner
        }
    }

    /// The audit record's actor: the person's address, never a secret.
    var actor: String { email }
}

struct DashboardUserKey: StorageKey {
    typealias Value = DashboardUser
}

extension Request {
    var dashboardUser: DashboardUser {
        get throws {
            guard let user = storage[DashboardUserKey.self] else { throw DashboardFailure.signInRequired }
            return user
        }
    }

    /// The signed-in user when they may do `permission`; otherwise a 403 page and nothing changes.
    func require(_ permission: DashboardUser.Permission) throws -> DashboardUser {
        let user = try dashboardUser
        guard user.may(permission) else { throw DashboardFailure.forbidden(role: user.role) }
        return user
    }
}

/// What a dashboard request can fail with before its handler runs.
enum DashboardFailure: Error {
    case signInRequired
    case forbidden(role: UserModel.Role)
    case csrf
    case notFound(String)
}

/// Resolves the session cookie, and checks the CSRF token of every form post.
struct DashboardSessionMiddleware: AsyncMiddleware {
    static let cookieName = "rollcall_session"
    let users: DashboardUsers

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.cookies[Self.cookieName]?.string, let (session, user) = try await users.session(token: token) else {
            throw DashboardFailure.signInRequired
        }
        let dashboardUser = DashboardUser(id: try user.requireID(), workspaceID: user.$workspace.id, email: user.email, name: user.name,
                                          role: user.role, csrfToken: session.csrfToken)
        request.storage[DashboardUserKey.self] = dashboardUser
        // The API's handlers read the workspace from here; the actor names the person.
        request.storage[WorkspaceScopeKey.self] = WorkspaceScope(workspaceID: user.$workspace.id,
                                                                   scopes: user.role == .viewer ? ["read"] : ["read", "write"],
                                                                   actor: user.email)
        if request.method == .POST {
            let sent = (try? request.content.get(String.self, at: "csrf")) ?? request.headers.first(name: "X-CSRF-Token")
            guard let sent, Self.constantTimeEqual(sent, session.csrfToken) else { throw DashboardFailure.csrf }
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The session cookie: HTTP-only, SameSite=Lax, Secure (browsers accept Secure cookies from
    /// http://localhost too), expiring with the session.
    static func cookie(_ token: String, maxAge: Int) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, maxAge: maxAge, path: "/", isSecure: true, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Renders dashboard failures as pages: sign-in redirects, 403, 404, and form errors the handler missed.
struct DashboardErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch DashboardFailure.signInRequired {
            let target = request.url.path == DashboardPath.home || request.method != .GET ? "" : "?next=\(request.url.path.percentEncodedQueryValue)"
            return request.redirect(to: DashboardPath.signIn + target)
        } catch let DashboardFailure.forbidden(role) {
            return Layout.errorPage(request, status: .forbidden, title: "Not allowed",
                                    message: "Your role (\(role.rawValue)) may not do this. Ask an owner of the workspace.")
        } catch DashboardFailure.csrf {
            return Layout.errorPage(request, status: .forbidden, title: "The form expired",
                                    message: "This form was not sent from this session (or the session changed). "
                                             + "Go back, reload the page and try again.")
        } catch let DashboardFailure.notFound(what) {
            return Layout.errorPage(request, status: .notFound, title: "Not found", message: "No \(what) with that address in this workspace.")
        } catch let error as APIError {
            return Layout.errorPage(request, status: error.status, title: "That did not work", message: error.message)
        } catch let error as ServiceError {
            let shown = APIError(error)
            return Layout.errorPage(request, status: shown.status, title: "That did not work", message: shown.message)
        } catch let error as DecodingError {
            return Layout.errorPage(request, status: .badRequest, title: "That did not work",
                                    message: "The form was incomplete: \(APIErrorMiddleware.describe(error))")
        } catch let error as any AbortError where error.status.code < 500 {
            return Layout.errorPage(request, status: error.status, title: "That did not work", message: error.reason)
        } catch {
            request.logger.error("dashboard request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Layout.errorPage(request, status: .internalServerError, title: "Something went wrong on our side",
                                    message: "The error is in the hub's log. Nothing was changed that you cannot see on the page.")
        }
    }
}

extension String {
    var percentEncodedQueryValue: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? self
    }
}
