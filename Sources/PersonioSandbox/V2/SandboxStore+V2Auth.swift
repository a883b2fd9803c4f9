import Foundation

/// Personio's v2 auth: OAuth 2.0 client credentials. Unlike v1, every token request issues a new
/// token; earlier ones stay valid (in parallel) until they expire or are revoked.
extension SandboxStore {
    struct V2Grant {
        var token: String
        var expiresIn: Int
        var scope: String
    }

    /// `POST /v2/auth/token` with the form's fields.
    func issueV2Token(form: [String: String]) throws(OAuthFailure) -> V2Grant {
        let clientKey = form["client_id"] ?? "anonymous"
        if configuration.limitsEnabled, let wait = v2AuthLimiter.admit(clientKey, at: now) {
            throw .tooManyRequests(after: wait)
        }
        let missing = ["grant_type", "client_id", "client_secret"].filter { form[$0]?.isEmpty ?? true }
        if let grant = form["grant_type"], !grant.isEmpty, grant != "client_credentials" {
            throw .unsupportedGrant(grant)
        }
        if missing == ["client_secret"] { throw .invalidClient }
        guard missing.isEmpty, let clientId = form["client_id"], let secret = form["client_secret"] else { throw .missing(missing) }
        guard let credential = company.credential(clientId: clientId) else { throw .invalidClient }
        guard constantTimeEqual(credential.clientSecret, secret) else { throw .unauthorizedClient }
        let available = credential.allScopeNames
        var granted = available
        if let requested = form["scope"]?.split(separator: " ").map(String.init), !requested.isEmpty {
            let invalid = requested.filter { !available.contains($0) }
            guard invalid.isEmpty else { throw .invalidScope(invalid) }
            granted = available.filter(requested.contains)
        }
        let token = "papi-" + SandboxConfiguration.randomToken(bytes: 32)
        v2Tokens[token] = V2Token(clientId: clientId, issuedAt: now, scopes: Set(granted))
        dropExpiredV2Tokens()
        return V2Grant(token: token, expiresIn: Int(Self.tokenLifetime), scope: granted.joined(separator: " "))
    }

    /// `POST /v2/auth/revoke`: forgets the token; an unknown token is not an error (RFC 7009).
    func revokeV2Token(form: [String: String]) throws(OAuthFailure) {
        guard let token = form["token"], !token.isEmpty else { throw .missing(["token"]) }
        v2Tokens[token] = nil
    }

    /// Admits one v2 resource request: the limit switch, faults, token and scope, in that order.
    func admitV2(authorization: String?, scope: V2Scope) throws(V2Failure) -> (credential: SandboxCredential, latencyMs: Int) {
        let current = now
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw .unauthorized("Send the access token from POST /v2/auth/token as 'Authorization: Bearer <token>'.")
        }
        let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let issued = v2Tokens[token], let credential = company.credential(clientId: issued.clientId) else {
            throw .unauthorized("The access token is invalid or was revoked. Request a new one from POST /v2/auth/token.")
        }
        guard current.timeIntervalSince(issued.issuedAt) < Self.tokenLifetime else {
            throw .unauthorized("The access token has expired. Request a new one from POST /v2/auth/token.")
        }
        if faults.v2RequestsPerMinute > 0, let wait = v2Limiter.admit(issued.clientId, at: current) {
            throw .tooManyRequests(after: wait)
        }
        if faults.force429Next > 0 {
            faults.force429Next -= 1
            throw .tooManyRequests(after: 1)
        }
        if faults.failNext > 0 {
            faults.failNext -= 1
            throw .serverError(status: faults.errorStatus)
        }
        if faults.errorRate > 0, chanceOfFault() {
            throw .serverError(status: faults.errorStatus)
        }
        guard issued.scopes.contains(scope.rawValue), credential.v2Scopes.contains(scope) else { throw .forbidden(scope: scope) }
        return (credential, faults.latencyMs)
    }

    private func dropExpiredV2Tokens() {
        guard v2Tokens.count > 1_000 else { return }
        let current = now
        v2Tokens = v2Tokens.filter { current.timeIntervalSince($0.value.issuedAt) < Self.tokenLifetime }
    }
}
