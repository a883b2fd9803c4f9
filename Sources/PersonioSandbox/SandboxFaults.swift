/// Faults and behaviour switches, set through `PUT /sandbox/faults`. Every field is optional in the
/// request; a missing field takes its default, so `PUT {}` restores normal behaviour.
public struct SandboxFaults: Codable, Sendable, Equatable {
    /// Fraction (0…1) of personnel-data requests answered with `errorStatus`, drawn from a seeded generator.
    public var errorRate: Double = 0
    /// Status used by `errorRate` and `failNext` (500, 502, 503 or 504).
    public var errorStatus: Int = 503
    /// The next N personnel-data requests fail with `errorStatus`.
    public var failNext: Int = 0
    /// Delay added before every personnel-data response, in milliseconds.
    public var latencyMs: Int = 0
    /// Delay added after a write (POST, PATCH, DELETE) has been stored, before its answer: a client
    /// that gives up waiting has still changed Personio (the case that makes blind retries duplicate).
    public var slowWritesMs: Int = 0
    /// The next N personnel-data requests get 429 regardless of the limiter.
    public var force429Next: Int = 0
    /// The next N employee-list pages that are not the last one lose half their items while the
    /// metadata still claims the full count (a truncated page).
    public var truncateNextPages: Int = 0
    /// After `dropAttributeAfterRequests` further employee-list requests, this attribute is removed
    /// from every credential's readable attributes (a permission change mid-run).
    public var dropAttribute: String?
    public var dropAttributeAfterRequests: Int = 0

    // Switches for behaviour where real Personio is known to differ or is unknown.
    /// Reject credentials in the query string of `POST /v1/auth` with 403, as Personio announced.
    public var rejectQueryAuth: Bool = false
    /// Status for wrong client id or secret: 401 (default) or 403.
    public var badCredentialsStatus: Int = 401
    /// Status for an expired or unknown token: 401 (default) or 403.
    public var expiredTokenStatus: Int = 401
    /// `limit` above the maximum: `reject` with 400 (default, Personio since 2025-01-31) or `clamp`.
    public var overLimit: OverLimit = .reject

    public enum OverLimit: String, Codable, Sendable { case reject, clamp }

    // v2 switches: Personio publishes no v2 resource limits and does not say how it writes links.
    /// v2 resource requests allowed per credential and minute, answered 429 beyond; 0 (default) is off.
    public var v2RequestsPerMinute: Int = 0
    /// `_meta.links.next.href` as an `absolute` URL (default, as Personio's examples) or `relative` (`/v2/persons?…`).
    public var v2NextLink: NextLink = .absolute
    /// The next N v2 list pages requested with a cursor point `next` at that same cursor again (a cursor that repeats).
    public var v2RepeatCursorNext: Int = 0

    public enum NextLink: String, Codable, Sendable { case absolute, relative }

    // Webhook switches.
    /// `real`: retries after 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h (about 3 days);
    /// `fast`: the same nine retries 50 ms, 100 ms, … apart (tests).
    public var webhookRetrySchedule: RetrySchedule = .real
    /// How long a receiver may take to answer, in milliseconds (Personio: 3 s).
    public var webhookTimeoutMs: Int = 3000
    /// Attribute keys whose changes send no event (Personio's known gaps, e.g. `position`).
    public var webhookSilentAttributes: [String] = []
    /// Every delivery waits this long first, in milliseconds.
    public var webhookDelayMs: Int = 0
    /// Every delivery is sent twice.
    public var webhookDuplicate: Bool = false

    public enum RetrySchedule: String, Codable, Sendable { case real, fast }

    /// Whether v1 lists `vacation_day_balance` at all (accounts differ; off: never, whatever the credential).
    public var v1VacationDayBalance: Bool = true

    public init() {}

    /// Every field `PUT /sandbox/faults` takes.
    static var fieldNames: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case errorRate = "error_rate", errorStatus = "error_status", failNext = "fail_next", latencyMs = "latency_ms", slowWritesMs = "slow_writes_ms"
        case force429Next = "force_429_next", truncateNextPages = "truncate_next_pages"
        case dropAttribute = "drop_attribute", dropAttributeAfterRequests = "drop_attribute_after_requests"
        case rejectQueryAuth = "reject_query_auth", badCredentialsStatus = "bad_credentials_status"
        case expiredTokenStatus = "expired_token_status", overLimit = "over_limit"
        case v2RequestsPerMinute = "v2_requests_per_minute", v2NextLink = "v2_next_link", v2RepeatCursorNext = "v2_repeat_cursor_next"
        case webhookRetrySchedule = "webhook_retry_schedule", webhookTimeoutMs = "webhook_timeout_ms"
        case webhookSilentAttributes = "webhook_silent_attributes", webhookDelayMs = "webhook_delay_ms", webhookDuplicate = "webhook_duplicate"
        case v1VacationDayBalance = "v1_vacation_day_balance"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxFaults()
        errorRate = try c.decodeIfPresent(Double.self, forKey: .errorRate) ?? defaults.errorRate
        errorStatus = try c.decodeIfPresent(Int.self, forKey: .errorStatus) ?? defaults.errorStatus
        failNext = try c.decodeIfPresent(Int.self, forKey: .failNext) ?? defaults.failNext
        latencyMs = try c.decodeIfPresent(Int.self, forKey: .latencyMs) ?? defaults.latencyMs
        slowWritesMs = try c.decodeIfPresent(Int.self, forKey: .slowWritesMs) ?? defaults.slowWritesMs
        force429Next = try c.decodeIfPresent(Int.self, forKey: .force429Next) ?? defaults.force429Next
        truncateNextPages = try c.decodeIfPresent(Int.self, forKey: .truncateNextPages) ?? defaults.truncateNextPages
        dropAttribute = try c.decodeIfPresent(String.self, forKey: .dropAttribute)
        dropAttributeAfterRequests = try c.decodeIfPresent(Int.self, forKey: .dropAttributeAfterRequests) ?? 0
        rejectQueryAuth = try c.decodeIfPresent(Bool.self, forKey: .rejectQueryAuth) ?? defaults.rejectQueryAuth
        badCredentialsStatus = try c.decodeIfPresent(Int.self, forKey: .badCredentialsStatus) ?? defaults.badCredentialsStatus
        expiredTokenStatus = try c.decodeIfPresent(Int.self, forKey: .expiredTokenStatus) ?? defaults.expiredTokenStatus
        overLimit = try c.decodeIfPresent(OverLimit.self, forKey: .overLimit) ?? defaults.overLimit
        v2RequestsPerMinute = try c.decodeIfPresent(Int.self, forKey: .v2RequestsPerMinute) ?? defaults.v2RequestsPerMinute
        v2NextLink = try c.decodeIfPresent(NextLink.self, forKey: .v2NextLink) ?? defaults.v2NextLink
        v2RepeatCursorNext = try c.decodeIfPresent(Int.self, forKey: .v2RepeatCursorNext) ?? defaults.v2RepeatCursorNext
        webhookRetrySchedule = try c.decodeIfPresent(RetrySchedule.self, forKey: .webhookRetrySchedule) ?? defaults.webhookRetrySchedule
        webhookTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .webhookTimeoutMs) ?? defaults.webhookTimeoutMs
        webhookSilentAttributes = try c.decodeIfPresent([String].self, forKey: .webhookSilentAttributes) ?? defaults.webhookSilentAttributes
        webhookDelayMs = try c.decodeIfPresent(Int.self, forKey: .webhookDelayMs) ?? defaults.webhookDelayMs
        webhookDuplicate = try c.decodeIfPresent(Bool.self, forKey: .webhookDuplicate) ?? defaults.webhookDuplicate
        v1VacationDayBalance = try c.decodeIfPresent(Bool.self, forKey: .v1VacationDayBalance) ?? defaults.v1VacationDayBalance
    }

    /// The first field that is out of range, with a message naming it.
    func validationError() -> (field: String, message: String)? {
        if !(0...1).contains(errorRate) { return ("error_rate", "error_rate must be between 0 and 1") }
        if ![500, 502, 503, 504].contains(errorStatus) { return ("error_status", "error_status must be 500, 502, 503 or 504") }
        if failNext < 0 { return ("fail_next", "fail_next must not be negative") }
        if !(0...60_000).contains(latencyMs) { return ("latency_ms", "latency_ms must be between 0 and 60000") }
        if !(0...60_000).contains(slowWritesMs) { return ("slow_writes_ms", "slow_writes_ms must be between 0 and 60000") }
        if force429Next < 0 { return ("force_429_next", "force_429_next must not be negative") }
        if truncateNextPages < 0 { return ("truncate_next_pages", "truncate_next_pages must not be negative") }
        if dropAttributeAfterRequests < 0 {
            return ("drop_attribute_after_requests", "drop_attribute_after_requests must not be negative")
        }
        if ![401, 403].contains(badCredentialsStatus) { return ("bad_credentials_status", "bad_credentials_status must be 401 or 403") }
        if ![401, 403].contains(expiredTokenStatus) { return ("expired_token_status", "expired_token_status must be 401 or 403") }
        if !(0...100_000).contains(v2RequestsPerMinute) {
            return ("v2_requests_per_minute", "v2_requests_per_minute must be between 0 (off) and 100000")
        }
        if v2RepeatCursorNext < 0 { return ("v2_repeat_cursor_next", "v2_repeat_cursor_next must not be negative") }
        if !(50...30_000).contains(webhookTimeoutMs) { return ("webhook_timeout_ms", "webhook_timeout_ms must be between 50 and 30000") }
        if !(0...60_000).contains(webhookDelayMs) { return ("webhook_delay_ms", "webhook_delay_ms must be between 0 and 60000") }
        return nil
    }
}
