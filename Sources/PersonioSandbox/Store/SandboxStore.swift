import Foundation
import PersonioAPI
import SyncEngine

/// The sandbox's state and Personio's rules over it. Routes parse HTTP and call in here; every
/// behaviour that a client can observe (limits, tokens, faults, paging, whitelists) lives here.
actor SandboxStore {
    let configuration: SandboxConfiguration
    /// The company time zone's offsets, looked up per rendered date.
    let offsets: ZoneOffsetTable
    var company: Company
    var faults = SandboxFaults()
    private var faultRandom: SeededRandom
    private var tokens: [String: IssuedToken] = [:]
    private var tokenByClient: [String: String] = [:]
    private var authLimiter = RateLimiter(perMinute: 60, coolDown: 60)
    private var resourceLimiter = RateLimiter(perMinute: 300, perSecond: 15)
    private var overallLimiter = RateLimiter(perMinute: 2000)
    var employeeListRequests = 0
    /// v2 access tokens: many per credential, each valid for a day unless revoked.
    var v2Tokens: [String: V2Token] = [:]
    var v2AuthLimiter = RateLimiter(perMinute: 150)
    /// The v2 limit switch (`v2_requests_per_minute`), per credential; rebuilt when the switch changes.
    var v2Limiter = RateLimiter(perMinute: Int.max)
    /// Webhook events of the last 30 days with their delivery state, oldest first.
    var webhookEvents: [WebhookEvent] = []
    /// The last day the effective-date events (`employment.started|terminated`) were emitted for.
    var effectiveDatesCheckedThrough: LocalDate?
    /// Wakes the webhook dispatcher when a delivery is due.
    var webhookWake: AsyncStream<Void>.Continuation?

    static let tokenLifetime: TimeInterval = 86_400

    struct V2Token {
        var clientId: String
        var issuedAt: Date
        var scopes: Set<String>
    }

    struct IssuedToken {
        var clientId: String
        var issuedAt: Date
    }

    init(configuration: SandboxConfiguration, company: Company) {
        self.configuration = configuration
        self.offsets = ZoneOffsetTable(configuration.timeZone)
        self.company = company
        self.faultRandom = SeededRandom(seed: configuration.seed &+ 0x5EED)
    }

    var now: Date { configuration.now() }
    var today: LocalDate { PersonioTimestamp.localDate(of: now, in: configuration.timeZone) }

    // MARK: Auth

    struct TokenGrant {
        var token: String
        var expiresIn: Int
        var scope: String
    }

    /// `POST /v1/auth`: the same token for the same credential until it expires.
    func authenticate(clientId: String?, clientSecret: String?, fromQuery: Bool) throws(PersonioFailure) -> TokenGrant {
        if configuration.limitsEnabled, let wait = authLimiter.admit("auth", at: now) {
            throw .tooManyRequests(after: wait)
        }
        if fromQuery, faults.rejectQueryAuth {
            throw PersonioFailure(status: 403, code: 403,
                                  message: "Passing credentials in the query string is no longer supported. Send them in the request body.")
        }
        guard let clientId, !clientId.isEmpty else {
            throw PersonioFailure(status: 400, code: 400, message: "The client_id field is required.",
                                  errorData: ["client_id": ["The client_id field is required."]])
        }
        guard let clientSecret, !clientSecret.isEmpty else {
            throw PersonioFailure(status: 400, code: 400, message: "The client_secret field is required.",
                                  errorData: ["client_secret": ["The client_secret field is required."]])
        }
        guard let credential = company.credential(clientId: clientId),
              constantTimeEqual(credential.clientSecret, clientSecret) else {
            throw PersonioFailure(status: faults.badCredentialsStatus, code: 0,
                                  message: "Es ist ein Problem aufgetreten: the client id or secret is not valid.")
        }
        let current = now
        if let token = tokenByClient[clientId], let issued = tokens[token],
           current.timeIntervalSince(issued.issuedAt) < Self.tokenLifetime {
            let remaining = Int((Self.tokenLifetime - current.timeIntervalSince(issued.issuedAt)).rounded(.down))
            return TokenGrant(token: token, expiresIn: remaining, scope: credential.scope)
        }
        if let old = tokenByClient[clientId] { tokens[old] = nil }
        let token = "papi-" + SandboxConfiguration.randomToken(bytes: 24)
        tokens[token] = IssuedToken(clientId: clientId, issuedAt: current)
        tokenByClient[clientId] = token
        return TokenGrant(token: token, expiresIn: Int(Self.tokenLifetime), scope: credential.scope)
    }

    /// Admits one personnel-data request: limits, faults, token and permission, in Personio's order.
    /// Returns the credential, the token to echo, and the latency to add.
    func admit(authorization: String?, permission: SandboxCredential.Permission) throws(PersonioFailure)
        -> (credential: SandboxCredential, token: String, latencyMs: Int) {
        let current = now
        if configuration.limitsEnabled, let wait = overallLimiter.admit("all", at: current) {
            throw .tooManyRequests(after: wait)
        }
        if faults.force429Next > 0 {
            faults.force429Next -= 1
            throw .tooManyRequests(after: 1)
        }
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw PersonioFailure(status: 401, code: 0,
                                  message: "Unauthorized: send the token from POST /v1/auth as 'Authorization: Bearer <token>'.")
        }
        let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let issued = tokens[token], let credential = company.credential(clientId: issued.clientId) else {
            throw PersonioFailure(status: faults.expiredTokenStatus, code: 0, message: "The token is invalid. Request a new one from POST /v1/auth.")
        }
        guard current.timeIntervalSince(issued.issuedAt) < Self.tokenLifetime else {
            throw PersonioFailure(status: faults.expiredTokenStatus, code: 0, message: "The token has expired. Request a new one from POST /v1/auth.")
        }
        if configuration.limitsEnabled, let wait = resourceLimiter.admit(token, at: current) {
            throw .tooManyRequests(after: wait)
        }
        if faults.failNext > 0 {
            faults.failNext -= 1
            throw PersonioFailure(status: faults.errorStatus, code: 0, message: "Es ist ein Problem aufgetreten")
        }
        if faults.errorRate > 0, faultRandom.chance(faults.errorRate) {
            throw PersonioFailure(status: faults.errorStatus, code: 0, message: "Es ist ein Problem aufgetreten")
        }
        guard credential.permissions.contains(permission) else {
            throw PersonioFailure(status: 403, code: 403,
                                  message: "This API credential lacks the '\(permission.rawValue)' permission.")
        }
        return (credential, token, faults.latencyMs)
    }

    /// Draws from the seeded fault generator (for `error_rate`).
    func chanceOfFault() -> Bool { faultRandom.chance(faults.errorRate) }

    // MARK: Persistence

    /// Writes the company to the data file, if one is configured.
    func persist() throws {
        guard let path = configuration.dataFile else { return }
        let data = try JSONEncoder().encode(company)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Persists after a change; a failing disk is reported, not hidden, but does not undo the change.
    func persistQuietly() {
        do { try persist() } catch {
            FileHandle.standardError.write(Data("sandbox: could not save \(configuration.dataFile ?? ""): \(error)\n".utf8))
        }
    }
}

/// Compares secrets without leaking, through timing, how much of them matched.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}
