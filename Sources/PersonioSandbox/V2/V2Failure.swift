import Foundation

/// An error of a v2 resource route, rendered as Personio's problem body:
/// `{"personio_trace_id","timestamp","errors":[{"title","detail","type","_meta"}]}`.
struct V2Failure: Error {
    var status: Int
    var title: String
    var detail: String
    /// The anchor of Personio's error reference, e.g. `common.bad_request`.
    var code: String
    /// The parameter or field the error is about.
    var meta: [String: String] = [:]
    var retryAfter: Int?

    var typeURI: String { "https://developer.personio.de/reference/errors#\(code)" }

    /// A query parameter with a value Personio cannot use (the spec's `InvalidFilterValue`).
    static func invalidParameter(_ name: String, _ reason: String) -> V2Failure {
        V2Failure(status: 400, title: "Bad request", detail: "Provided request parameters are invalid.", code: "common.bad_request",
                  meta: ["parameter": name, "reason": reason])
    }

    /// A filter with an operator Personio does not know (the spec's `InvalidFilterFormat`).
    static func invalidFilter(_ name: String) -> V2Failure {
        V2Failure(status: 400, title: "Bad request", detail: "Provided filter encoding is invalid.", code: "common.bad_request",
                  meta: ["parameter": name])
    }

    /// A body field that is missing or wrong (422).
    static func invalidField(_ field: String, _ reason: String) -> V2Failure {
        V2Failure(status: 422, title: "Unprocessable entity", detail: reason, code: "common.unprocessable_entity", meta: ["field": field])
    }

    static func notFound(_ detail: String = "There is no resource for the specified id.") -> V2Failure {
        V2Failure(status: 404, title: "Resource not found", detail: detail, code: "common.resource_not_found")
    }

    static func unauthorized(_ detail: String) -> V2Failure {
        V2Failure(status: 401, title: "Unauthorized", detail: detail, code: "common.unauthorized")
    }

    static func forbidden(scope: V2Scope) -> V2Failure {
        V2Failure(status: 403, title: "Forbidden",
                  detail: "The access token lacks the scope \(scope.rawValue) that this endpoint requires.",
                  code: "common.forbidden", meta: ["required_scope": scope.rawValue])
    }

    static func tooManyRequests(after seconds: Double) -> V2Failure {
        let wait = max(1, Int(seconds.rounded(.up)))
        return V2Failure(status: 429, title: "Too many requests", detail: "Rate limit exceeded. Retry after \(wait) seconds.",
                         code: "common.too_many_requests", retryAfter: wait)
    }

    static func serverError(status: Int) -> V2Failure {
        V2Failure(status: status, title: "Internal server error", detail: "Es ist ein Problem aufgetreten", code: "common.internal_server_error")
    }
}

/// An error of `POST /v2/auth/token` or `/v2/auth/revoke`, in OAuth 2.0's shape as Personio sends it:
/// `{"error","error_description","error_uri","timestamp","trace_id","meta"}`.
struct OAuthFailure: Error {
    var status: Int = 400
    /// `invalid_request`, `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`.
    var error: String
    var description: String
    var uriSuffix: String
    var meta: [String: MetaValue] = [:]
    var retryAfter: Int?

    enum MetaValue: Sendable {
        case text(String)
        case list([String])
    }

    var uri: String { "https://developer.personio.de/reference/errors#credentials.oauth2.\(uriSuffix)" }

    static func missing(_ parameters: [String]) -> OAuthFailure {
        OAuthFailure(error: "invalid_request", description: "The request has missing or invalid required parameters.",
                     uriSuffix: "invalid_request.required_parameters_missing", meta: ["missing_parameters": .list(parameters)])
    }

    static let wrongContentType = OAuthFailure(
        error: "invalid_request", description: "The content type of the request must be \"application/x-www-form-urlencoded\".",
        uriSuffix: "invalid_request.invalid_request_content_type")

    static let invalidClient = OAuthFailure(
        error: "invalid_client",
        description: "Client authentication failed (e.g., unknown client, wrong secret, no client "
                     + "authentication included, or unsupported authentication method).",
        uriSuffix: "invalid_client")

    static let unauthorizedClient = OAuthFailure(
        error: "unauthorized_client", description: "The credentials were not correct. Make sure you are providing the "
                                                   + "right client_id and client_secret.",
        uriSuffix: "unauthorized_client")

    static func unsupportedGrant(_ grant: String) -> OAuthFailure {
        OAuthFailure(error: "unsupported_grant_type", description: "The requested authorization grant type is not supported by the server.",
                     uriSuffix: "unsupported_grant_type", meta: ["grant_type": .text(grant)])
    }

    static func invalidScope(_ scopes: [String]) -> OAuthFailure {
        OAuthFailure(error: "invalid_scope", description: "One of the requested scopes is invalid.", uriSuffix: "invalid_scope",
                     meta: ["invalid_scopes": .list(scopes)])
    }

    static func tooManyRequests(after seconds: Double) -> OAuthFailure {
        let wait = max(1, Int(seconds.rounded(.up)))
        return OAuthFailure(status: 429, error: "temporarily_unavailable",
                            description: "Too many token requests. Retry after \(wait) seconds.", uriSuffix: "temporarily_unavailable",
                            retryAfter: wait)
    }
}
