import PersonioAPI

/// A rule of one of the hub's concepts that a request broke, said for people: what is wrong, and
/// which field where there is one. Services throw it and know nothing of HTTP; the API turns it into
/// its JSON error (`APIError`), the dashboard into a message at the field.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input breaks a rule (422).
        case invalid
        /// No such thing in this workspace (404).
        case notFound
        /// The thing is not in a state that allows it (409).
        case conflict
        /// Personio refused what it was asked, for want of rights (403).
        case refused
        /// Personio (or another upstream) failed (502).
        case upstream
        /// Personio is briefly unavailable (rate limit, a timeout): try again soon (503).
        case unavailable
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var field: String?

    public init(_ kind: Kind, code: String, message: String, field: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
    }

    public static func invalid(_ field: String, _ message: String) -> ServiceError {
        ServiceError(.invalid, code: "invalid", message: message, field: field)
    }

    public static func notFound(_ what: String) -> ServiceError {
        ServiceError(.notFound, code: "not_found", message: "No \(what) with that id in this workspace.")
    }

    public static func conflict(_ code: String, _ message: String, field: String? = nil) -> ServiceError {
        ServiceError(.conflict, code: code, message: message, field: field)
    }

    /// Personio failed a call the request needed; `context` says what that means for the request.
    static func personio(_ error: any Error, _ context: String? = nil) -> ServiceError {
        let transient = (error as? PersonioError)?.isTransient ?? false
        return ServiceError(transient ? .unavailable : .upstream, code: "personio_failed",
                            message: [context, ErrorText.explain(error)].compactMap { $0 }.joined(separator: " "))
    }

    public var description: String { "\(code): \(message)" + (field.map { " (\($0))" } ?? "") }
}
