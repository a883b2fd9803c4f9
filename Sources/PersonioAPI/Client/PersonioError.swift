/// Everything that can go wrong talking to Personio, each with an explanation and a remedy fit to
/// show an HR admin. No case carries a secret or a token.
public enum PersonioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client id or secret was refused.
    case invalidCredentials(status: Int)
    /// The credential lacks a permission for this request.
    case forbidden(message: String)
    /// Personio kept answering 429 until the retry budget ran out.
    case rateLimited(attempts: Int)
    /// Personio kept failing (5xx) until the retry budget ran out.
    case serverError(status: Int, message: String)
    /// Personio could not be reached (connection refused, DNS, timeout) within the retry budget.
    case unreachable(reason: String)
    case notFound(message: String)
    /// Personio refused the request as malformed (400), naming fields where it did.
    case badRequest(message: String, fields: [String: [String]])
    /// Personio refused the data (422), naming fields where it did.
    case validationFailed(message: String, fields: [String: [String]])
    case duplicateEmail(String)
    case supervisorNotFound(Int)
    /// The answer was not what Personio's API describes.
    case malformedResponse(reason: String)
    /// A listing could not be confirmed complete (a short page, a changing total): its people are
    /// valid, but nobody may be treated as gone because of it.
    case incompleteListing(reason: String)
    case unexpectedStatus(status: Int, message: String)
    /// The request was not sent: the hub's outbound policy does not let it out (an address on the
    /// operator's own network, or a host that is not Personio's).
    case refused(reason: String)

    public var description: String { "\(explanation) \(remedy)" }

    /// What happened, in words an HR admin understands.
    public var explanation: String {
        switch self {
        case .invalidCredentials(let status):
            "Personio did not accept the client id and secret (HTTP \(status))."
        case .forbidden(let message):
            "Personio refused the request because the API credential lacks a permission: \(message)"
        case .rateLimited(let attempts):
            "Personio kept answering “too many requests” (\(attempts) attempts)."
        case .serverError(let status, let message):
            "Personio had an internal problem (HTTP \(status)\(message.isEmpty ? "" : ": \(message)"))."
        case .unreachable(let reason):
            "Personio could not be reached: \(reason)."
        case .notFound(let message):
            "Personio does not know this record: \(message)"
        case .badRequest(let message, let fields):
            "Personio refused the request: \(message)\(Self.describe(fields))"
        case .validationFailed(let message, let fields):
            "Personio refused the data: \(message)\(Self.describe(fields))"
        case .duplicateEmail(let email):
            "An employee with the e-mail \(email) already exists in Personio."
        case .supervisorNotFound(let id):
            "The supervisor with Personio id \(id) does not exist."
        case .malformedResponse(let reason):
            "Personio's answer could not be read: \(reason)."
        case .incompleteListing(let reason):
            "Personio's employee list could not be confirmed complete: \(reason)."
        case .unexpectedStatus(let status, let message):
            "Personio answered with HTTP \(status)\(message.isEmpty ? "" : ": \(message)")."
        case .refused(let reason):
            "Rollcall did not call this source's base URL: \(reason)"
        }
    }

    /// What to do about it.
    public var remedy: String {
        switch self {
        case .invalidCredentials:
            "In Personio, open Settings › Integrations › API credentials, check the client id, and "
            + "generate a new secret if needed; then update it in Rollcall."
        case .forbidden:
            "In Personio, open Settings › Integrations › API credentials, edit this credential and grant the missing access."
        case .rateLimited:
            "Nothing to do: Rollcall retries on its next run. If this keeps happening, another "
            + "integration may be using up the same credential's limit."
        case .serverError, .unreachable:
            "Nothing to do: Rollcall retries automatically. If it lasts, check status.personio.de or the base URL of this source."
        case .notFound:
            "Check that the record still exists in Personio."
        case .badRequest, .validationFailed:
            "Correct the named fields and try again."
        case .duplicateEmail:
            "Link the existing employee instead of creating a new one, or use another e-mail address."
        case .supervisorNotFound:
            "Choose a supervisor who exists in Personio."
        case .malformedResponse:
            "Check that the base URL points at Personio's API (https://api.personio.de/v1)."
        case .incompleteListing:
            "Nothing to do: nobody is archived or deleted because of this listing; the next full sync checks again."
        case .unexpectedStatus:
            "Try again later; if it persists, report it with the time it happened."
        case .refused:
            "Use Personio's API (https://api.personio.de/v1) as the base URL, or ask the operator to allow this host."
        }
    }

    /// Whether trying the same request later may succeed.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .serverError, .unreachable, .incompleteListing: true
        default: false
        }
    }

    private static func describe(_ fields: [String: [String]]) -> String {
        guard !fields.isEmpty else { return "" }
        return " (" + fields.keys.sorted().map { "\($0): \(fields[$0]?.joined(separator: " ") ?? "")" }.joined(separator: "; ") + ")"
    }
}

/// A transport error meaning the request was deliberately not sent (an outbound policy): never
/// retried, reported as `PersonioError.refused` with its description.
public protocol PersonioTransportRefusal: Error, CustomStringConvertible {}
