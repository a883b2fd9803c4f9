/// A Personio API error: HTTP status plus the envelope's code and message.
struct PersonioFailure: Error {
    var status: Int
    var code: Int
    var message: String
    var errorData: [String: [String]]?
    /// Seconds for `Retry-After` on 429.
    var retryAfter: Int?

    init(status: Int, code: Int = 0, message: String, errorData: [String: [String]]? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.errorData = errorData
        self.retryAfter = retryAfter
    }

    static func badRequest(_ field: String, _ message: String) -> PersonioFailure {
        PersonioFailure(status: 400, code: 400, message: message, errorData: [field: [message]])
    }

    static func unprocessable(_ error: FieldError) -> PersonioFailure {
        PersonioFailure(status: 422, code: 422, message: error.message, errorData: [error.field: [error.message]])
    }

    static func notFound(_ message: String) -> PersonioFailure {
        PersonioFailure(status: 404, code: 404, message: message)
    }

    static func tooManyRequests(after seconds: Double) -> PersonioFailure {
        let wait = max(1, Int(seconds.rounded(.up)))
        return PersonioFailure(status: 429, code: 429, message: "Too many requests. Retry after \(wait) seconds.", retryAfter: wait)
    }
}

/// An error of the sandbox's own admin API, rendered as `{"error":{"code","message","field"}}`.
struct AdminFailure: Error {
    var status: Int
    var code: String
    var message: String
    var field: String?

    static func invalid(_ field: String, _ message: String) -> AdminFailure {
        AdminFailure(status: 422, code: "invalid_field", message: message, field: field)
    }

    static func notFound(_ message: String) -> AdminFailure {
        AdminFailure(status: 404, code: "not_found", message: message)
    }
}
