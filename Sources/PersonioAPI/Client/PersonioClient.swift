import Foundation
import NIOCore
import Logging

/// Talks to Personio's v1 API politely: one token shared by all calls, client-side rate limits,
/// retries with backoff on 429, 5xx and transport failures, and typed errors that explain.
public final class PersonioClient: Sendable {
    public let configuration: PersonioConfiguration
    let transport: any PersonioTransport
    let clock: PersonioClock
    let logger: Logger
    let limiter: RequestLimiter
    let authLimiter: RequestLimiter
    let tokens: TokenProvider
    /// v2's OAuth token (`POST /v2/auth/token`), obtained when the first v2 request needs it.
    let v2Tokens: TokenProvider
    public let statistics = PersonioStatistics()
    /// v2 unit names for single-person reads, kept for a few minutes (listings read them afresh).
    let unitNameCache = UnitNameCache()

    public init(configuration: PersonioConfiguration, transport: any PersonioTransport,
                clock: PersonioClock = .continuous, logger: Logger = Logger(label: "rollcall.personio")) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.logger = logger
        limiter = RequestLimiter(perSecond: configuration.requestsPerSecond, perMinute: configuration.requestsPerMinute, clock: clock)
        let authLimiter = RequestLimiter(perSecond: nil, perMinute: configuration.authRequestsPerMinute, clock: clock)
        self.authLimiter = authLimiter
        tokens = TokenProvider(clock: clock) { [configuration, transport, clock, logger, statistics] () throws(PersonioError) in
            try await Self.authenticate(configuration: configuration, transport: transport, clock: clock,
                                        limiter: authLimiter, logger: logger, statistics: statistics)
        }
        v2Tokens = TokenProvider(clock: clock) { [configuration, transport, clock, logger, statistics] () throws(PersonioError) in
            try await Self.authenticateV2(configuration: configuration, transport: transport, clock: clock,
                                          limiter: authLimiter, logger: logger, statistics: statistics)
        }
    }

    /// A new client like this one (same transport, clock and logger) with a changed configuration;
    /// it has its own tokens, limits and statistics.
    public func configured(_ change: (inout PersonioConfiguration) -> Void) -> PersonioClient {
        var configuration = configuration
        change(&configuration)
        return PersonioClient(configuration: configuration, transport: transport, clock: clock, logger: logger)
    }

    // MARK: Requests

    /// Sends one personnel-data request with the shared token, within the limits, retrying what
    /// may succeed later. Returns the body of a 2xx answer.
    ///
    /// `idempotent: false` (creates): a timeout, a lost connection or a 5xx is not retried, since
    /// Personio may have stored the record already; the caller decides (a hand-off looks the e-mail
    /// up first). A 429 is retried either way: Personio did nothing.
    ///
    /// `api: .v2` sends to Personio's v2 root with the v2 token; there `path` may also be an absolute
    /// URL on that root (a `next` link, checked by the caller).
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
              contentType: String? = nil, idempotent: Bool = true, api: PersonioAPIVersion = .v1) async throws(PersonioError) -> [UInt8] {
        let root = api == .v2 ? configuration.v2RootURL : configuration.baseURL
        let url = (path.hasPrefix(root + "/") ? path : root + path) + Self.encode(query)
        let tokens = api == .v2 ? v2Tokens : tokens
        let started = clock.now()
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            guard !Task.isCancelled else { throw .unreachable(reason: "the request was cancelled") }
            let grant = try await tokens.current()
            do { try await limiter.acquire() } catch { throw .unreachable(reason: "cancelled") }
            var headers = [("Authorization", "Bearer \(grant.token)"), ("Accept", "application/json")]
            headers += partnerHeaders
            if let contentType { headers.append(("Content-Type", contentType)) }
            let request = PersonioHTTPRequest(method: method, url: url, headers: headers, body: body)
            await statistics.countRequest()
            let response: PersonioHTTPResponse
            do {
                response = try await transport.send(request, timeout: configuration.requestTimeout)
            } catch {
                if let refusal = error as? any PersonioTransportRefusal { throw .refused(reason: refusal.description) }
                let reason = Self.describeTransportError(error)
                logger.warning("personio: \(method) \(path) failed: \(reason) (attempt \(attempt))")
                guard idempotent else { throw .unreachable(reason: reason + "; not repeated, since Personio may have stored it") }
                try await backoff(attempt: attempt, started: started) { .unreachable(reason: reason) }
                continue
            }
            switch response.status {
            case 200..<300:
                return response.body
            case 401 where !reauthenticated, 403 where !reauthenticated:
                // An expired token answers 401 (or 403 on some accounts): authenticate once more.
                reauthenticated = true
                await tokens.invalidate(grant.token)
                attempt -= 1
                continue
            case 429:
                await statistics.countRateLimited()
                let wait = Self.retryAfter(response) ?? .seconds(1)
                await limiter.pause(for: wait)
                logger.notice("personio: 429 on \(method) \(path); waiting \(wait)")
                try await backoff(attempt: attempt, started: started, atLeast: wait) { .rateLimited(attempts: attempt) }
                continue
            case 500..<600:
                let message = Self.errorMessage(response.body)
                logger.warning("personio: \(response.status) on \(method) \(path): \(message) (attempt \(attempt))")
                guard idempotent else { throw .serverError(status: response.status, message: message) }
                try await backoff(attempt: attempt, started: started) { .serverError(status: response.status, message: message) }
                continue
            default:
                throw Self.failure(for: response)
            }
        }
    }

    /// Sleeps before the next attempt, or throws `failure()` when the retry budget is spent.
    private func backoff(attempt: Int, started: Duration, atLeast minimum: Duration = .zero,
                         failure: () -> PersonioError) async throws(PersonioError) {
        guard attempt < configuration.maxAttempts else { throw failure() }
        let exponential = configuration.baseBackoff * (1 << min(attempt - 1, 16))
        let capped = min(configuration.maxBackoff, exponential)
        let jitter = capped * Double.random(in: 0...0.25)
        let wait = max(minimum + .milliseconds(Int.random(in: 0...250)), capped + jitter)
        guard clock.now() + wait - started <= configuration.giveUpAfter else { throw failure() }
        await statistics.countRetry()
        do { try await clock.sleep(wait) } catch { throw failure() }
    }

    private var partnerHeaders: [(String, String)] {
        var headers: [(String, String)] = []
        if let partner = configuration.credentials.partnerID { headers.append(("X-Personio-Partner-ID", partner)) }
        if let app = configuration.credentials.appID { headers.append(("X-Personio-App-ID", app)) }
        return headers
    }

    // MARK: Auth

    private static func authenticate(
        configuration: PersonioConfiguration, transport: any PersonioTransport, clock: PersonioClock,
        limiter: RequestLimiter, logger: Logger, statistics: PersonioStatistics
    ) async throws(PersonioError) -> TokenProvider.Grant {
        let body = try? JSONSerialization.data(withJSONObject: [
            "client_id": configuration.credentials.clientID, "client_secret": configuration.credentials.clientSecret,
        ])
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let partner = configuration.credentials.partnerID { headers.append(("X-Personio-Partner-ID", partner)) }
        if let app = configuration.credentials.appID { headers.append(("X-Personio-App-ID", app)) }
        let request = PersonioHTTPRequest(method: "POST", url: configuration.baseURL + "/auth", headers: headers,
                                          body: body.map { Array($0) })
        return try await exchange(request, configuration: configuration, transport: transport, clock: clock, limiter: limiter,
                                  statistics: statistics) { response throws(PersonioError) in
            switch response.status {
            case 200..<300:
                guard let document = try? JSONValue.parse(Data(response.body)),
                      let token = document["data"]?["token"]?.string, !token.isEmpty else {
                    throw .malformedResponse(reason: "the auth answer has no data.token")
                }
                let lifetime = document["data"]?["expires_in"]?.int ?? 86_400
                logger.debug("personio: authenticated as \(configuration.credentials.clientID)")
                return .init(token: token, expiresAt: clock.now() + .seconds(lifetime), scope: document["data"]?["scope"]?.string)
            case 400, 401, 403:
                throw .invalidCredentials(status: response.status)
            default:
                throw failure(for: response)
            }
        }
    }

    /// Sends a token request, retrying transport failures, 429 (after `Retry-After`) and 5xx within the
    /// attempt budget; any other answer goes to `answer`, which returns the grant or throws.
    static func exchange(
        _ request: PersonioHTTPRequest, configuration: PersonioConfiguration, transport: any PersonioTransport, clock: PersonioClock,
        limiter: RequestLimiter, statistics: PersonioStatistics,
        answer: (PersonioHTTPResponse) throws(PersonioError) -> TokenProvider.Grant
    ) async throws(PersonioError) -> TokenProvider.Grant {
        var attempt = 0
        while true {
            attempt += 1
            do { try await limiter.acquire() } catch { throw .unreachable(reason: "cancelled") }
            await statistics.countRequest()
            let response: PersonioHTTPResponse
            do {
                response = try await transport.send(request, timeout: configuration.requestTimeout)
            } catch {
                if let refusal = error as? any PersonioTransportRefusal { throw .refused(reason: refusal.description) }
                guard attempt < configuration.maxAttempts else { throw .unreachable(reason: describeTransportError(error)) }
                try? await clock.sleep(configuration.baseBackoff * (1 << min(attempt - 1, 10)))
                continue
            }
            switch response.status {
            case 429:
                await statistics.countRateLimited()
                guard attempt < configuration.maxAttempts else { throw .rateLimited(attempts: attempt) }
                let wait = retryAfter(response) ?? .seconds(1)
                await limiter.pause(for: wait)
                try? await clock.sleep(wait)
            case 500..<600:
                guard attempt < configuration.maxAttempts else {
                    throw .serverError(status: response.status, message: errorMessage(response.body))
                }
                try? await clock.sleep(configuration.baseBackoff * (1 << min(attempt - 1, 10)))
            default:
                return try answer(response)
            }
        }
    }

    /// The scope of the current token (e.g. `employees:read absences:read`), when Personio says.
    public func scope() async throws(PersonioError) -> String? {
        try await tokens.current().scope
    }

    // MARK: Helpers

    static func failure(for response: PersonioHTTPResponse) -> PersonioError {
        let document = try? JSONValue.parse(Data(response.body))
        if let problem = document?["errors"]?.array?.first { return v2Failure(status: response.status, problem: problem) }
        let message = (document?["error"]?["message"]?.string ?? "").excerpt()
        var fields: [String: [String]] = [:]
        // what the answer says is shown as a short excerpt: the base URL may lead to a host a workspace chose
        for (key, value) in (document?["error"]?["error_data"]?.object ?? [:]).sorted(by: { $0.key < $1.key }).prefix(10) {
            fields[key.excerpt(60)] = (value.array?.compactMap(\.string) ?? value.string.map { [$0] } ?? []).prefix(5).map { $0.excerpt(100) }
        }
        switch response.status {
        case 400: return .badRequest(message: message, fields: fields)
        case 401: return .invalidCredentials(status: 401)
        case 403: return .forbidden(message: message)
        case 404: return .notFound(message: message)
        case 422:
            if let id = supervisorId(in: message) { return .supervisorNotFound(id) }
            return .validationFailed(message: message, fields: fields)
        default: return .unexpectedStatus(status: response.status, message: message)
        }
    }

    private static func supervisorId(in message: String) -> Int? {
        guard message.hasPrefix("Supervisor with ID ") else { return nil }
        return Int(message.dropFirst("Supervisor with ID ".count).prefix { $0.isNumber })
    }

    static func errorMessage(_ body: [UInt8]) -> String {
        let document = try? JSONValue.parse(Data(body))
        if let problem = document?["errors"]?.array?.first {
            return (problem["detail"]?.string ?? problem["title"]?.string ?? "").excerpt()
        }
        return (document?["error"]?["message"]?.string ?? document?["error_description"]?.string ?? "").excerpt()
    }

    static func retryAfter(_ response: PersonioHTTPResponse) -> Duration? {
        guard let text = response.header("Retry-After"), let seconds = Double(text.trimmingCharacters(in: .whitespaces)),
              seconds >= 0, seconds.isFinite else { return nil }
        // A day at most: a hostile or broken server's "1e300" must neither trap nor stall a run for ever.
        return .milliseconds(Int(min(seconds, 86_400) * 1000))
    }

    static func describeTransportError(_ error: any Error) -> String {
        if let tooLarge = error as? NIOTooManyBytesError {
            return "the answer was larger than \((tooLarge.maxBytes ?? 0) >> 20) MB, far more than any Personio page"
        }
        return String(describing: error).excerpt()
    }

    static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?" + query.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}

/// Names of org units and legal entities by `type:id`, with the time they were read.
actor UnitNameCache {
    private var names: [String: String]?
    private var readAt: Duration = .zero

    func get(now: Duration, maxAge: Duration) -> [String: String]? {
        guard let names, now - readAt < maxAge else { return nil }
        return names
    }

    func set(_ names: [String: String], at now: Duration) {
        self.names = names
        readAt = now
    }
}

/// Counts of what a client did, for run records and metrics.
public actor PersonioStatistics {
    public private(set) var requests = 0
    public private(set) var rateLimited = 0
    public private(set) var retries = 0

    func countRequest() { requests += 1 }
    func countRateLimited() { rateLimited += 1 }
    func countRetry() { retries += 1 }
}
