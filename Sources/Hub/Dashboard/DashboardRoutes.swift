import Fluent
import Foundation
import Vapor

/// The dashboard: server-rendered pages for HR admins and IT staff, signed in with e-mail and
/// password. Every form carries the session's CSRF token; every change checks the person's role.
struct DashboardRoutes: RouteCollection {
    /// Runs on demand and what the next one would do.
    let runs: RunService
    let users: DashboardUsers
    /// Whose `X-Forwarded-*` headers give the client's address and the links' origin.
    var proxies: TrustedProxies = .none

    var environment: HubEnvironment { runs.environment }

    func sources(_ request: Request) -> SourceService { SourceService(database: request.db, environment: environment) }
    func connections(_ request: Request) -> ConnectionService { ConnectionService(database: request.db, environment: environment) }

    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped(DashboardErrorMiddleware())
        pages.on(.GET, page: DashboardPath.stylesheet) { _ in
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            headers.add(name: .cacheControl, value: "public, max-age=3600")
            return Response(status: .ok, headers: headers, body: .init(string: Layout.stylesheet))
        }
        pages.on(.GET, page: DashboardPath.signIn, use: signInPage)
        pages.on(.POST, page: DashboardPath.signIn, use: signIn)
        pages.on(.GET, page: DashboardPath.invite(), use: invitePage)
        pages.on(.POST, page: DashboardPath.invite(), use: acceptInvite)

        let signedIn = pages.grouped(DashboardSessionMiddleware(users: users))
        signedIn.get { request async throws -> Response in
            _ = try request.dashboardUser
            return request.redirect(to: DashboardPath.connections)
        }
        signedIn.on(.POST, page: DashboardPath.signOut, use: signOut)
        bootConnections(signedIn)
        bootSources(signedIn)
        bootPeople(signedIn)
        bootAdministration(signedIn)
        bootHandoffs(signedIn)
        bootAbsences(signedIn)
    }

    // MARK: Sign-in

    static let preSessionCookie = "rollcall_signin"

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var csrf: String?
        var next: String?
    }

    func signInPage(_ request: Request) async throws -> Response {
        signInResponse(email: nil, next: request.query[String.self, at: "next"], message: nil, status: .ok)
    }

    /// Double-submit token for the sign-in form (there is no session yet to hold one).
    private func signInResponse(email: String?, next: String?, message: String?, status: HTTPResponseStatus) -> Response {
        let token = DashboardUsers.randomToken()
        let body: HTML = """
        <form method="post" action="\(DashboardPath.signIn)" class="narrow">
        <input type="hidden" name="csrf" value="\(token)"><input type="hidden" name="next" value="\(Self.safeNext(next) ?? "")">
        \(message.map { HTML("<p class=\"notice error\" role=\"alert\" id=\"sign-in-error\">\($0)</p>") } ?? .empty)
        \(Layout.field("E-mail", name: "email", value: email, type: "email", required: true, attributes: "autocomplete=\"username\" autofocus"))
        \(Layout.field("Password", name: "password", type: "password", required: true, attributes: "autocomplete=\"current-password\""))
        <button>Sign in</button></form>
        <p class="muted">No account? An owner of your workspace can invite you; the operator creates the first one with <code>rollcall user \
        create</code>.</p>
        """
        let response = Layout.response(Layout.page(title: "Sign in", user: nil, body), status: status)
        response.cookies[Self.preSessionCookie] = HTTPCookies.Value(string: token, maxAge: 3600, path: DashboardPath.signIn, isSecure: true,
                                                                   isHTTPOnly: true, sameSite: .strict)
        return response
    }

    func signIn(_ request: Request) async throws -> Response {
        let form = try request.content.decode(SignInForm.self)
        guard let sent = form.csrf, let expected = request.cookies[Self.preSessionCookie]?.string,
              DashboardSessionMiddleware.constantTimeEqual(sent, expected) else {
            return signInResponse(email: form.email, next: form.next, message: "The sign-in form expired. Please try again.", status: .forbidden)
        }
        guard let email = form.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty, let password = form.password, !password.isEmpty else {
            return signInResponse(email: form.email, next: form.next, message: "Enter your e-mail address and password.",
                                  status: .unprocessableEntity)
        }
        let address = proxies.clientAddress(request)
        switch try await users.signIn(email: email, password: password, address: address) {
        case let .signedIn(_, token):
            let response = request.redirect(to: Self.safeNext(form.next) ?? DashboardPath.connections)
            response.cookies[DashboardSessionMiddleware.cookieName] = DashboardSessionMiddleware.cookie(token, maxAge: Int(users.sessionLifetime))
            response.cookies[Self.preSessionCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0),
                                                                        path: DashboardPath.signIn)
            return response
        case .rejected:
            return signInResponse(email: email, next: form.next, message: "That e-mail address and password do not match an account.",
                                  status: .unauthorized)
        case .locked:
            return signInResponse(email: email, next: form.next,
                                  message: "Too many failed sign-ins for this address. Wait 15 minutes, or ask an owner to invite you again.",
                                  status: .tooManyRequests)
        }
    }

    /// Only paths on this site (no `//host` or scheme) are followed after sign-in. Browsers drop tabs
    /// and line breaks from URLs (`/\t/evil.example` is `//evil.example` to them), so no control
    /// character or space passes either.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains(":"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return nil }
        return next
    }

    func signOut(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        if let token = request.cookies[DashboardSessionMiddleware.cookieName]?.string { try await users.signOut(token: token) }
        try await AuditLog(database: request.db).record(.userSignedOut, workspaceID: user.workspaceID, actor: user.actor,
                                                        subject: "user \(user.email)", detail: "", at: environment.now())
        let response = request.redirect(to: DashboardPath.signIn)
        response.cookies[DashboardSessionMiddleware.cookieName] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0),
                                                                                   path: "/", isSecure: true, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    // MARK: Helpers shared by the pages

    func timeZone(_ request: Request, _ user: DashboardUser) async throws -> TimeZone {
        let workspace = try? await WorkspaceService(database: request.db, now: environment.now).find(user.workspaceID)
        return workspace.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
    }

    /// The connection in the path, if it is in the user's workspace.
    func connection(_ request: Request) async throws -> ConnectionModel {
        do {
            return try await ConnectionService.find(request.parameters.get(.connection, as: UUID.self),
                                                    workspaceID: try request.dashboardUser.workspaceID, on: request.db)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardFailure.notFound("connection")
        }
    }

    /// The source in the path, if it is in the user's workspace.
    func source(_ request: Request) async throws -> SourceModel {
        do {
            return try await SourceService.find(request.parameters.get(.source, as: UUID.self),
                                                workspaceID: try request.dashboardUser.workspaceID, on: request.db)
        } catch let error as ServiceError where error.kind == .notFound {
            throw DashboardFailure.notFound("source")
        }
    }

    /// Redirect after a POST, with a notice chosen from a fixed list (no text from the URL is shown).
    static func redirect(_ request: Request, to path: String, notice: NoticeKey? = nil) -> Response {
        request.redirect(to: notice.map { "\(path)?notice=\($0.rawValue)" } ?? path)
    }

    enum NoticeKey: String {
        case synced, previewed, paused, resumed, released, discarded, approved, rejected, busy, saved, created, connected, deleted, rotated
        case invited, sent
        case accepted, alreadySent = "already-sent"

        var notice: Layout.Notice {
            switch self {
            case .synced: .init(kind: .success, text: "Synced. The run below shows every operation and its reason.")
            case .previewed: .init(kind: .info, text: "Preview: nothing was changed. This is what the next run would do.")
            case .paused: .init(kind: .success, text: "Paused. No runs until you resume.")
            case .resumed: .init(kind: .success, text: "Resumed. The next run is due now.")
            case .released: .init(kind: .success, text: "Released. The next run carries the batch out.")
            case .discarded: .init(kind: .success, text: "Discarded. Those people stay as they are.")
            case .approved: .init(kind: .success, text: "Approved and provisioned.")
            case .rejected: .init(kind: .success, text: "Rejected: they stay in Personio and are not onboarded.")
            case .busy: .init(kind: .info, text: "A run of this connection is under way; the next run picks this up.")
            case .created: .init(kind: .success, text: "Created.")
            case .connected: .init(kind: .success, text: "Saved. The checklist below is read live from Personio.")
            case .deleted: .init(kind: .success, text: "Deleted, with everything it stored about people.")
            case .rotated: .init(kind: .success, text: "The new key works and replaced the old one.")
            case .invited: .init(kind: .success, text: "Invitation created.")
            case .sent: .init(kind: .success, text: "Sent to Personio.")
            case .saved: .init(kind: .success, text: "Saved.")
            case .accepted: .init(kind: .success, text: "Accepted. From the next run those attributes read as empty in Personio.")
            case .alreadySent: .init(kind: .info, text: "This candidate was sent to Personio before; a hire is sent only once.")
            }
        }
    }

    static func notice(_ request: Request) -> Layout.Notice? {
        request.query[String.self, at: "notice"].flatMap(NoticeKey.init(rawValue:))?.notice
    }
}
