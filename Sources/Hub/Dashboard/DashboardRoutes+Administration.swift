import Fluent
import Foundation
import Vapor

/// The audit log, the workspace's users and invitations.
extension DashboardRoutes {
    func bootAdministration(_ routes: any RoutesBuilder) {
        routes.on(.GET, page: DashboardPath.audit, use: auditPage)
        routes.on(.GET, page: DashboardPath.users, use: usersPage)
        routes.on(.POST, page: DashboardPath.invitations, use: invite)
    }

    func auditPage(_ request: Request) async throws -> Response {
        let user = try request.dashboardUser
        let zone = try await timeZone(request, user)
        let events = try await AuditLog(database: request.db).recent(workspaceID: user.workspaceID, limit: 500)
        let body: HTML = """
        <p class="muted">Who did what and when: sign-ins, connection changes, approvals, releases, key rotations, deletions. The last 500.</p>
        <div class="table"><table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th \
        scope="col">Subject</th><th scope="col">Detail</th></tr></thead><tbody>
        \(events.html { event in
            HTML("<tr><td>\(Layout.date(event.createdAt, in: zone))</td><td>\(event.actor)</td><td>\(event.action)</td><td>\(event.subject)</td><td>")
                + HTML("\(event.detail)</td></tr>")
        })</tbody></table></div>
        """
        return Layout.response(Layout.page(title: "Audit log", user: user, body))
    }

    struct InviteForm: Content {
        var email: String?
        var role: String?
    }

    func usersPage(_ request: Request) async throws -> Response {
        let user = try request.require(.own)
        return try await usersResponse(request, user: user, form: InviteForm(), error: nil, link: nil)
    }

    private func usersResponse(_ request: Request, user: DashboardUser, form: InviteForm, error: (field: String, message: String)?,
                               link: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let zone = try await timeZone(request, user)
        let (members, invites) = try await users.members(workspaceID: user.workspaceID)
        let body: HTML = """
        \(link.map { HTML("<p class=\"notice success\" role=\"status\">Invitation created. Send this link to the person (it works once, for 7 ")
                     + HTML("days): <code id=\"invite-link\">\($0)</code></p>") } ?? .empty)
        <div class="table"><table><thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th></tr></thead><tbody>
        \(members.html { HTML("<tr><td>\($0.name)</td><td>\($0.email)</td><td>\($0.role.rawValue)</td></tr>") })</tbody></table></div>
        <h2>Invite someone</h2>
        <p class="muted">owner: everything, including users and deleting; admin: connections, approvals, hand-offs; hr: approvals and hand-offs; \
        viewer: reads only.</p>
        <form method="post" action="\(DashboardPath.users)/invite">\(Layout.csrf(user))
        \(Layout.field("E-mail", name: "email", value: form.email, type: "email", error: error?.field == "email" ? error?.message : nil,
                       required: true))
        \(Layout.select("Role", name: "role", options: UserModel.Role.allCases.map { ($0.rawValue, $0.rawValue) }, selected: form.role ?? "viewer",
                        error: error?.field == "role" ? error?.message : nil))
        <button>Create invitation</button></form>
        \(invites.isEmpty ? .empty : HTML("<h2>Open invitations</h2><ul>") + invites.html { invite in
            HTML("<li>\(invite.email) (\(invite.role.rawValue)), by \(invite.invitedBy), expires \(Layout.date(invite.expiresAt, in: zone))</li>")
        } + HTML("</ul>"))
        """
        return Layout.response(Layout.page(title: "Users", user: user, body), status: status)
    }

    func invite(_ request: Request) async throws -> Response {
        let user = try request.require(.own)
        let form = try request.content.decode(InviteForm.self)
        guard let role = form.role.flatMap(UserModel.Role.init(rawValue:)) else {
            return try await usersResponse(request, user: user, form: form, error: ("role", "Choose owner, admin, hr or viewer."), link: nil,
                                           status: .unprocessableEntity)
        }
        do {
            let token = try await users.invite(workspaceID: user.workspaceID, email: form.email ?? "", role: role, by: user.actor)
            // Behind a TLS proxy the hub sees http; a trusted proxy says what the browser used.
            return try await usersResponse(request, user: user, form: InviteForm(), error: nil,
                                           link: proxies.origin(request) + DashboardPath.invite(token))
        } catch let DashboardUsers.Problem.invalid(field, message) {
            return try await usersResponse(request, user: user, form: form, error: (field, message), link: nil, status: .unprocessableEntity)
        }
    }

    // MARK: Accepting an invitation (no session yet)

    struct AcceptForm: Content {
        var name: String?
        var password: String?
    }

    func invitePage(_ request: Request) async throws -> Response {
        guard let invite = try await users.invitation(token: request.parameters.get(.token) ?? "") else {
            throw DashboardFailure.notFound("invitation")
        }
        return acceptResponse(request, invite: invite, name: nil, error: nil, status: .ok)
    }

    private func acceptResponse(_ request: Request, invite: InviteModel, name: String?, error: (field: String, message: String)?,
                                status: HTTPResponseStatus) -> Response {
        let body: HTML = """
        <p>You were invited as <strong>\(invite.role.rawValue)</strong> with the address <strong>\(invite.email)</strong>. Choose your name and a \
        password.</p>
        <form method="post" action="\(request.url.path)">
        \(Layout.field("Your name", name: "name", value: name, error: error?.field == "name" ? error?.message : nil, required: true))
        \(Layout.field("Password", name: "password", type: "password", error: error?.field == "password" ? error?.message : nil,
                       help: "At least 12 characters.", required: true, attributes: "autocomplete=\"new-password\""))
        <button>Create account</button></form>
        """
        return Layout.response(Layout.page(title: "Join Rollcall", user: nil, body), status: status)
    }

    /// The link's token is the proof (it is as secret as a CSRF token, and works once).
    func acceptInvite(_ request: Request) async throws -> Response {
        guard let invite = try await users.invitation(token: request.parameters.get(.token) ?? "") else {
            throw DashboardFailure.notFound("invitation")
        }
        let form = try request.content.decode(AcceptForm.self)
        do {
            _ = try await users.accept(invite, name: form.name ?? "", password: form.password ?? "")
            return request.redirect(to: DashboardPath.signIn)
        } catch let DashboardUsers.Problem.invalid(field, message) {
            return acceptResponse(request, invite: invite, name: form.name, error: (field, message), status: .unprocessableEntity)
        } catch DashboardUsers.Problem.exists {
            return acceptResponse(request, invite: invite, name: form.name,
                                  error: ("name", "This invitation was just accepted; sign in with the password chosen then."), status: .conflict)
        }
    }
}
