import Foundation

/// A Personio API credential. `description` never shows the secret.
public struct PersonioCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var clientSecret: String
    /// Optional `X-Personio-Partner-ID` and `X-Personio-App-ID` headers.
    public var partnerID: String?
    public var appID: String?

    public init(clientID: String, clientSecret: String, partnerID: String? = nil, appID: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.partnerID = partnerID
        self.appID = appID
    }

    public var description: String { "PersonioCredentials(clientID: \(clientID), clientSecret: <redacted>)" }
    public var debugDescription: String { description }
}

/// How the client talks to Personio.
public struct PersonioConfiguration: Sendable {
    /// `https://api.personio.de/v1`, or a sandbox's `/v1` URL.
    public var baseURL: String
    public var credentials: PersonioCredentials
    /// Client-side limits for personnel-data requests (Personio: 300/min, bursts of 15/s).
    public var requestsPerMinute: Int = 300
    public var requestsPerSecond: Int? = 15
    /// Personio allows 60 auth requests per minute.
    public var authRequestsPerMinute: Int = 60
    /// Employees per page (Personio's maximum is 100).
    public var pageSize: Int = 100
    /// Pages requested (and decoded) ahead of the one being read, once the total is known: Personio
    /// works on the next pages while this process decodes, on another processor.
    public var pagesAhead: Int = 4
    public var requestTimeout: Duration = .seconds(30)
    /// Retries of 429, 5xx and transport failures: at most this many attempts per request…
    public var maxAttempts: Int = 6
    /// …with capped exponential backoff from this delay…
    public var baseBackoff: Duration = .milliseconds(500)
    public var maxBackoff: Duration = .seconds(30)
    /// …and never past this much time for one request.
    public var giveUpAfter: Duration = .seconds(180)
    /// The company's time zone, for timestamps Personio sends without an offset.
    public var timeZone: TimeZone = TimeZone(identifier: "Europe/Berlin") ?? .current

    /// Which of Personio's APIs the client reads people through (see `PersonioAPIVersion`).
    public var apiVersion: PersonioAPIVersion.Choice = .v1
    /// Persons per v2 page (Personio's maximum is 50).
    public var v2PageSize: Int = 50
    /// v2 employment requests in flight at once while a page of persons is read (the limiter still
    /// paces every request).
    public var v2ParallelRequests: Int = 8

    /// The API root that `/v2/…` paths hang off: the base URL without its `/v1`.
    public var v2RootURL: String {
        baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
    }

    public static let personioBaseURL = "https://api.personio.de/v1"

    public init(baseURL: String = PersonioConfiguration.personioBaseURL, credentials: PersonioCredentials) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
    }
}
