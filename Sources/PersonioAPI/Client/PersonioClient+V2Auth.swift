import Foundation
import Logging

extension PersonioClient {
    /// `POST /v2/auth/token`: form-encoded client credentials; every scope of the credential.
    static func authenticateV2(
        configuration: PersonioConfiguration, transport: any PersonioTransport, clock: PersonioClock,
        limiter: RequestLimiter, logger: Logger, statistics: PersonioStatistics
    ) async throws(PersonioError) -> TokenProvider.Grant {
        let form = encode([("grant_type", "client_credentials"), ("client_id", configuration.credentials.clientID),
                           ("client_secret", configuration.credentials.clientSecret)]).dropFirst()
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        if let partner = configuration.credentials.partnerID { headers.append(("X-Personio-Partner-ID", partner)) }
        if let app = configuration.credentials.appID { headers.append(("X-Personio-App-ID", app)) }
        let request = PersonioHTTPRequest(method: "POST", url: configuration.v2RootURL + "/v2/auth/token", headers: headers,
                                          body: Array(form.utf8))
        return try await exchange(request, configuration: configuration, transport: transport, clock: clock, limiter: limiter,
                                  statistics: statistics) { response throws(PersonioError) in
            let document = try? JSONValue.parse(Data(response.body))
            guard (200..<300).contains(response.status) else { throw oauthFailure(status: response.status, document: document) }
            guard let token = document?["access_token"]?.string, !token.isEmpty else {
                throw .malformedResponse(reason: "the v2 token answer has no access_token")
            }
            let lifetime = document?["expires_in"]?.int ?? 86_400
            logger.debug("personio: v2 token for \(configuration.credentials.clientID)")
            return .init(token: token, expiresAt: clock.now() + .seconds(lifetime), scope: document?["scope"]?.string)
        }
    }

    /// An OAuth error of the v2 token endpoint, typed like v1's.
    static func oauthFailure(status: Int, document: JSONValue?) -> PersonioError {
        let code = document?["error"]?.string ?? ""
        let description = (document?["error_description"]?.string ?? "").excerpt()
        switch code {
        case "invalid_client", "unauthorized_client", "invalid_grant": return .invalidCredentials(status: status)
        case "invalid_scope": return .forbidden(message: "Personio refused the scopes asked for: \(description)")
        case "": return status == 401 || status == 403 ? .invalidCredentials(status: status) : .unexpectedStatus(status: status, message: "")
        default: return .badRequest(message: "\(code): \(description)", fields: [:])
        }
    }

    /// A v2 problem body (`errors[0]` with `title`, `detail`, `_meta`), typed like v1's envelope.
    static func v2Failure(status: Int, problem: JSONValue) -> PersonioError {
        let detail = (problem["detail"]?.string ?? problem["title"]?.string ?? "").excerpt()
        var fields: [String: [String]] = [:]
        if let meta = problem["_meta"]?.object {
            let named = meta["parameter"]?.string ?? meta["field"]?.string
            if let named { fields[named.excerpt(60)] = [meta["reason"]?.string?.excerpt(100) ?? detail] }
        }
        switch status {
        case 400: return .badRequest(message: detail, fields: fields)
        case 401: return .invalidCredentials(status: 401)
        case 403: return .forbidden(message: detail)
        case 404: return .notFound(message: detail)
        case 409 where detail.lowercased().contains("email"): return .validationFailed(message: detail, fields: fields)
        case 422: return .validationFailed(message: detail, fields: fields)
        default: return .unexpectedStatus(status: status, message: detail)
        }
    }
}
