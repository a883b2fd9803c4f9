import Crypto
import Fluent
import Foundation
import Vapor

/// People who sign in to the dashboard: accounts, passwords (bcrypt), sessions and invitations.
public struct DashboardUsers: Sendable {
    public var database: any Database
    public var now: @Sendable () -> Date
    /// bcrypt's work factor; tests lower it, production keeps 12.
    public var bcryptCost: Int = 12
    public var sessionLifetime: TimeInterval = 12 * 3600
    /// Failed sign-ins allowed per e-mail address (and ten times that per client address) in `lockWindow`.
    public var maxFailures = 5
    public var lockWindow: TimeInterval = 15 * 60

    public init(database: any Database, now: @escaping @Sendable () -> Date, bcryptCost: Int = 12) {
        self.database = database
        self.now = now
        self.bcryptCost = bcryptCost
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case invalid(field: String, message: String)
        case exists(String)

        public var description: String {
            switch self {
            case let .invalid(_, message): message
            case let .exists(message): message
            }
        }
    }

    /// The address as accounts store it (trimmed, lower-cased), or nil when it is not one.
    public static func normalisedEmail(_ text: String) -> String? { EmailAddress.normalised(text) }

    /// At least 12 characters: long enough that bcrypt's cost is not the only defence.
    public static func checkPassword(_ password: String) throws(Problem) {
        guard password.count >= 12 else { throw .invalid(field: "password", message: "The password needs at least 12 characters.") }
        guard password.utf8.count <= 72 else {
            throw .invalid(field: "password", message: "The password may have at most 72 bytes (bcrypt reads no further).")
        }
    }

    /// Creates an account in a workspace.
    @discardableResult
    public func create(workspaceID: UUID, email: String, name: String, password: String, role: UserModel.Role) async throws -> UserModel {
        guard let address = Self.normalisedEmail(email) else {
            throw Problem.invalid(field: "email", message: "\(email) is not an e-mail address.")
        }
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        guard !trimmedName.isEmpty else { throw Problem.invalid(field: "name", message: "The name must not be empty.") }
        try Self.checkPassword(password)
        if try await UserModel.query(on: database).filter(\.$workspace.$id == workspaceID).filter(\.$email == address).first() != nil {
            throw Problem.exists("\(address) already has an account in this workspace.")
        }
        let user = UserModel(workspaceID: workspaceID, email: address, name: trimmedName,
                             passwordHash: try Bcrypt.hash(password, cost: bcryptCost), role: role)
        do {
            try await user.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // another request created it in the meantime (e.g. the same invitation accepted twice at once)
            throw Problem.exists("\(address) already has an account in this workspace.")
        }
        return user
    }

    // MARK: Sign-in

    public enum SignInResult: Sendable {
        case signedIn(user: UserModel, sessionToken: String)
        case rejected
        case locked(until: Date)
    }

    /// Checks the password (with the same bcrypt work whether or not the address exists) and opens a
    /// session. Failures lock one account from one client address (so an attacker cannot lock anyone
    /// else out), and one client address altogether after ten times as many. An attempt is recorded
    /// as failed *before* its password is checked and the failures are counted again: parallel
    /// guesses each see the ones recorded before them, so of a burst of 100 at most `maxFailures`
    /// reach bcrypt, and the burst itself locks.
    public func signIn(email: String, password: String, address: String) async throws -> SignInResult {
        let email = Self.normalisedEmail(email) ?? email.lowercased()
        let at = now()
        let until = at.addingTimeInterval(lockWindow)
        // Locked already: refused without being recorded, so the lock ends when the window passes.
        if try await isLocked(email: email, address: address, at: at, allowing: 0) { return .locked(until: until) }
        let attempt = SignInAttemptModel(email: email, address: address, succeeded: false, at: at)
        try await attempt.create(on: database)
        // More failures than allowed, counting this one: part of a burst; it stays recorded, unchecked.
        if try await isLocked(email: email, address: address, at: at, allowing: 1) { return .locked(until: until) }
        let candidates = try await UserModel.query(on: database).filter(\.$email == email).sort(\.$createdAt).all()
        var matched: UserModel?
        if candidates.isEmpty {
            // Same cost as a real check, so the answer's timing does not tell which addresses exist.
            _ = try? Bcrypt.verify(password, created: Self.decoyHash)
        }
        for candidate in candidates where try Bcrypt.verify(password, created: candidate.passwordHash) {
            matched = candidate
            break
        }
        guard let user = matched else { return .rejected }
        attempt.succeeded = true
        try await attempt.save(on: database)
        let token = Self.randomToken()
        try await DashboardSessionModel(tokenDigest: APITokens.digest(token), userID: try user.requireID(), csrfToken: Self.randomToken(),
                                        createdAt: now(), expiresAt: now().addingTimeInterval(sessionLifetime)).create(on: database)
        try await AuditLog(database: database).record(.userSignedIn, workspaceID: user.$workspace.id, actor: user.email,
                                                      subject: "user \(user.email)",
                                  detail: "from \(address)", at: now())
        return .signedIn(user: user, sessionToken: token)
    }

    /// Whether the failures in the window reach the limits; `allowing` more (the attempt being made).
    private func isLocked(email: String, address: String, at: Date, allowing extra: Int) async throws -> Bool {
        let since = at.addingTimeInterval(-lockWindow)
        let failures = SignInAttemptModel.query(on: database).filter(\.$address == address).filter(\.$succeeded == false)
            .filter(\.$createdAt > since)
        if try await failures.copy().filter(\.$email == email).count() >= maxFailures + extra { return true }
        return try await failures.count() >= maxFailures * 10 + extra
    }

    /// The session and its user for a cookie's token, when it is valid and not expired.
    public func session(token: String) async throws -> (DashboardSessionModel, UserModel)? {
        guard let session = try await DashboardSessionModel.query(on: database).filter(\.$tokenDigest == APITokens.digest(token))
            .filter(\.$expiresAt > now()).with(\.$user).first() else { return nil }
        return (session, session.user)
    }

    public func signOut(token: String) async throws {
        try await DashboardSessionModel.query(on: database).filter(\.$tokenDigest == APITokens.digest(token)).delete()
    }

    // MARK: Housekeeping

    /// How long sign-in attempts are kept: the lockout looks back `lockWindow`; a day leaves room to
    /// look into a burst of failures (the audit log keeps every successful sign-in for good).
    public var attemptRetention: TimeInterval = 86_400

    /// Deletes sessions past their expiry and sign-in attempts older than `attemptRetention`, which
    /// would otherwise only grow. The hub runs it every hour.
    public func purgeExpired() async throws {
        try await DashboardSessionModel.query(on: database).filter(\.$expiresAt <= now()).delete()
        try await SignInAttemptModel.query(on: database).filter(\.$createdAt < now().addingTimeInterval(-attemptRetention)).delete()
    }

    // MARK: Invitations

    /// Creates an invitation; the returned token goes into the link and is not stored.
    /// The workspace's dashboard users by e-mail, and its invitations not yet accepted, newest first.
    func members(workspaceID: UUID) async throws -> (users: [UserModel], invites: [InviteModel]) {
        let users = try await UserModel.query(on: database).filter(\.$workspace.$id == workspaceID).sort(\.$email).all()
        let invites = try await InviteModel.query(on: database).filter(\.$workspace.$id == workspaceID).filter(\.$acceptedAt == nil)
            .sort(\.$createdAt, .descending).all()
        return (users, invites)
    }

    public func invite(workspaceID: UUID, email: String, role: UserModel.Role, by actor: String) async throws -> String {
        guard let address = Self.normalisedEmail(email) else {
            throw Problem.invalid(field: "email", message: "\(email) is not an e-mail address.")
        }
        if try await UserModel.query(on: database).filter(\.$workspace.$id == workspaceID).filter(\.$email == address).first() != nil {
            throw Problem.invalid(field: "email", message: "\(address) already has an account in this workspace.")
        }
        let token = Self.randomToken()
        try await InviteModel(workspaceID: workspaceID, email: address, role: role, tokenDigest: APITokens.digest(token), invitedBy: actor,
                              at: now(), expiresAt: now().addingTimeInterval(7 * 86_400)).create(on: database)
        try await AuditLog(database: database).record(.userInvited, workspaceID: workspaceID, actor: actor, subject: "user \(address)",
                                  detail: "role \(role.rawValue)", at: now())
        return token
    }

    /// The open invitation for a link's token.
    public func invitation(token: String) async throws -> InviteModel? {
        try await InviteModel.query(on: database).filter(\.$tokenDigest == APITokens.digest(token)).filter(\.$acceptedAt == nil)
            .filter(\.$expiresAt > now()).first()
    }

    /// Accepts an invitation: creates the account with the chosen name and password.
    public func accept(_ invite: InviteModel, name: String, password: String) async throws -> UserModel {
        let user = try await create(workspaceID: invite.$workspace.id, email: invite.email, name: name, password: password, role: invite.role)
        invite.acceptedAt = now()
        try await invite.save(on: database)
        try await AuditLog(database: database).record(.userJoined, workspaceID: invite.$workspace.id, actor: user.email,
                                                      subject: "user \(user.email)",
                                  detail: "role \(user.role.rawValue), invited by \(invite.invitedBy)", at: now())
        return user
    }

    /// 32 random bytes, URL-safe base64.
    static func randomToken() -> String { APITokens.randomText() }

    /// A bcrypt hash of nothing anyone knows, checked when no account has the address.
    static let decoyHash = (try? Bcrypt.hash(randomToken(), cost: 12)) ?? ""
}
