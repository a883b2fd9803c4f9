import Foundation
import SyncEngine

/// How to reach a SCIM 2.0 service provider (RFC 7644) and how to treat its users.
public struct SCIMConfiguration: Sendable {
    /// The SCIM base, e.g. `https://app.example/scim/v2` (no trailing slash needed).
    public var baseURL: String
    public var token: String
    /// Requests in flight at once against this target.
    public var concurrency = 4
    /// Attempts per request on 429, 5xx and network errors.
    public var maxAttempts = 4
    /// First pause between attempts, doubled each time (a `Retry-After` header wins).
    public var retryDelay: Duration = .milliseconds(500)
    /// Longest `Retry-After` honoured within a run; longer ones fail the person for a later run.
    public var maxRetryAfter: TimeInterval = 30
    public var timeout: Duration = .seconds(30)
    /// How an existing user is found before one is created, in order.
    public var correlation: [Correlation] = [.externalId, .userName, .email]
    /// false: a delete becomes `active: false` (the app keeps the user).
    public var deletes = true
    /// The mapped field that becomes `userName`.
    public var userNameField = "email"
    /// Where the app differs from what it announces (PUT only, no enterprise extension, …).
    public var compatibility = SCIMCompatibility()

    public enum Correlation: String, Sendable, CaseIterable, Codable {
        case externalId, userName, email
    }

    public init(baseURL: String, token: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
    }
}

/// What `/ServiceProviderConfig` announced.
public struct SCIMServiceProvider: Sendable, Hashable, Codable {
    public var patch: Bool
    public var filter: Bool
    public var bulk: Bool
    /// The User attributes the app declares in `/Schemas`; nil when it serves none (then the whole
    /// resource is sent).
    public var declared: SCIMDeclaredAttributes?
    /// The schema extensions `/ResourceTypes` lists for users; nil when it serves none.
    public var extensions: Set<String>?

    public init(patch: Bool, filter: Bool, bulk: Bool, declared: SCIMDeclaredAttributes? = nil, extensions: Set<String>? = nil) {
        self.patch = patch
        self.filter = filter
        self.bulk = bulk
        self.declared = declared
        self.extensions = extensions
    }

    /// Whether the app takes the enterprise extension: not when `/ResourceTypes` lists others but
    /// not it, or `/Schemas` leaves it out.
    public var takesEnterprise: Bool {
        if let extensions, !extensions.contains(SCIMTarget.enterpriseSchema) { return false }
        if let declared, !declared.paths.contains(SCIMTarget.enterpriseSchema) { return false }
        return true
    }

    /// Whether the app keeps `externalId`: not when its schema declares it read-only (then
    /// correlation does not search by it).
    public var keepsExternalId: Bool { !(declared?.readOnly.contains("externalId") ?? false) }
}

/// The schema extensions `/ResourceTypes` lists for users. (Its `endpoint` is not used: apps write
/// it relative to the base, as RFC 7643 §6 says, or from the host's root, as django-scim2 does; every
/// app serves `/Users`.)
public enum SCIMUserResourceType {
    /// nil without a User resource type (or when `body` is no list of resource types).
    public static func extensions(_ body: some Sequence<UInt8>) -> Set<String>? {
        guard let types = try? JSONDecoder().decode(SCIMListResponse<SCIMResourceType>.self, from: Data(body)),
              let user = types.resources.first(where: { $0.schema == SCIMTarget.userSchema }) else { return nil }
        return Set(user.schemaExtensions.map(\.schema))
    }
}

/// A SCIM 2.0 client for Users: discovery, search, create, patch, replace, delete, with retries on
/// 429 and 5xx and a limit on requests in flight.
public final class SCIMClient: Sendable {
    public let configuration: SCIMConfiguration
    let transport: any SCIMTransport
    let gate: Gate
    let pacer: RequestPacer?

    public init(configuration: SCIMConfiguration, transport: any SCIMTransport) {
        self.configuration = configuration
        self.transport = transport
        gate = Gate(limit: max(1, configuration.concurrency))
        pacer = configuration.compatibility.requestsPerSecond.map { RequestPacer(perSecond: $0) }
    }

    /// An answer: the status and the body, read as the SCIM resource it should be.
    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// The body as text, cut to 500 characters (for messages).
        public var bodyText: String
        /// Where a redirect points (Rollcall follows none: the token would go along).
        public var location: String?

        /// The body read as `type`; nil when it is empty or not that (every SCIM resource is a JSON object).
        public func decoded<T: Decodable>(_ type: T.Type) -> T? {
            body.isEmpty ? nil : try? JSONDecoder().decode(type, from: Data(body))
        }

        /// Whether the body is a JSON object (a SCIM resource or error), not a page or nothing.
        public var isJSONObject: Bool { decoded(JSONObject.self) != nil }

        private struct JSONObject: Decodable {
            private struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }

            init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: Key.self) }
        }
    }

    /// Reads `/ServiceProviderConfig`; a failure explains what is wrong with the URL or token.
    public func discover() async throws(TargetFailure) -> SCIMServiceProvider {
        let answer = try await send("GET", "/ServiceProviderConfig")
        guard answer.status == 200 else { throw Self.failure(answer, doing: "reading /ServiceProviderConfig", connecting: true) }
        guard answer.isJSONObject, let supported = answer.decoded(SCIMServiceProviderConfig.self) else {
            throw TargetFailure(code: "bad_response", explanation: "\(configuration.baseURL)/ServiceProviderConfig did not answer with JSON; "
                                + "check that the base URL is the app's SCIM 2.0 base (it usually ends in /scim/v2).", retryable: true)
        }
        // The configuration may be public (RFC 7644 §4); reading one user proves the token.
        let users = try await send("GET", "/Users", query: [("count", "1")])
        guard users.status == 200 else { throw Self.failure(users, doing: "listing users", connecting: true) }
        guard users.decoded(SCIMListResponse<SCIMUser>.self)?.isListResponse == true else {
            throw TargetFailure(code: "bad_response", explanation: "\(configuration.baseURL)/Users did not answer with a SCIM ListResponse.",
                                retryable: true)
        }
        let filter = supported.filter ? await honoursFilters() : false
        return SCIMServiceProvider(patch: supported.patch, filter: filter, bulk: supported.bulk, declared: await declaredAttributes(),
                                   extensions: await userExtensions())
    }

    /// The extensions users take, when the app serves `/ResourceTypes` (many do not: nil).
    func userExtensions() async -> Set<String>? {
        guard let answer = try? await send("GET", "/ResourceTypes"), answer.status == 200 else { return nil }
        return SCIMUserResourceType.extensions(answer.body)
    }

    /// Some apps advertise filtering and ignore it, answering every user to any filter: searching
    /// there would link strangers. Asks for an externalId nobody has; users in the answer mean the
    /// filter was ignored (then the directory is read and matched locally, as without filters).
    func honoursFilters() async -> Bool {
        let nobody = "rollcall-filter-probe-\(UUID().uuidString)"
        guard let answer = try? await send("GET", "/Users", query: [("filter", "externalId eq \"\(nobody)\""), ("count", "1")]),
              answer.status == 200 else { return true }
        let list = answer.decoded(SCIMListResponse<SCIMUser>.self)
        return (list?.resources.isEmpty ?? true) && (list?.totalResults ?? 0) == 0
    }

    /// What `/Schemas` declares of Users, when the app serves it (many do not: nil, not a failure).
    func declaredAttributes() async -> SCIMDeclaredAttributes? {
        guard let answer = try? await send("GET", "/Schemas"), answer.status == 200 else { return nil }
        return SCIMDeclaredAttributes(schemas: answer.body)
    }

    /// The first user matching `attribute eq value`, or nil.
    public func findUser(where attribute: String, equals value: String) async throws(TargetFailure) -> SCIMUser? {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let answer = try await send("GET", "/Users", query: [("filter", "\(attribute) eq \"\(escaped)\""), ("count", "2")])
        guard answer.status == 200 else { throw Self.failure(answer, doing: "searching users by \(attribute)") }
        guard let list = answer.decoded(SCIMListResponse<SCIMUser>.self), !list.isBareArray, list.hasResources || list.totalResults == 0 else {
            throw TargetFailure(code: "bad_response", explanation: "The app's user search did not answer with a SCIM ListResponse.", retryable: true)
        }
        return list.resources.first
    }

    /// Sends `resource` as the JSON body (a user, a PatchOp), with retries as `send` does.
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], json resource: some Encodable)
        async throws(TargetFailure) -> Answer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(resource) else {
            throw TargetFailure(code: "bad_request", explanation: "The user could not be encoded as JSON.", retryable: false)
        }
        return try await send(method, path, query: query, body: Array(data))
    }

    /// Sends a request with retries. Never throws for an HTTP status; throws for a network failure
    /// that outlasted every attempt.
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil)
        async throws(TargetFailure) -> Answer {
        var url = configuration.baseURL + path
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            url += "?" + (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        }
        var headers = [("Authorization", "Bearer \(configuration.token)"), ("Accept", "application/scim+json, application/json")]
        if body != nil { headers.append(("Content-Type", "application/scim+json")) }
        var delay = configuration.retryDelay
        var attempt = 1
        while true {
            await gate.enter()
            await pacer?.waitForTurn()
            let result: Result<(status: Int, headers: [(String, String)], body: [UInt8]), any Error>
            do {
                result = .success(try await transport.send(method: method, url: url, headers: headers, body: body, timeout: configuration.timeout))
            } catch {
                result = .failure(error)
            }
            await gate.leave()
            switch result {
            case .failure(let error):
                guard attempt < configuration.maxAttempts else {
                    throw TargetFailure(code: "unreachable", explanation: "The app's SCIM endpoint could not be reached (\(Self.describe(error))); "
                                        + "Rollcall tries again on the next run.", retryable: true)
                }
            case .success(let response):
                // 501 Not Implemented and 505 will answer the same however often they are asked
                let retryable = response.status == 429 || ((500...599).contains(response.status) && ![501, 505].contains(response.status))
                if !retryable || attempt >= configuration.maxAttempts {
                    let text = String(decoding: response.body, as: UTF8.self)
                    let location = response.headers.first { $0.0.lowercased() == "location" }?.1
                    return Answer(status: response.status, body: response.body, bodyText: String(text.prefix(500)), location: location)
                }
                if let header = response.headers.first(where: { $0.0.lowercased() == "retry-after" })?.1,
                   let seconds = TimeInterval(header.trimmingCharacters(in: .whitespaces)) {
                    guard seconds <= configuration.maxRetryAfter else {
                        return Answer(status: response.status, body: [], bodyText: "Retry-After: \(header)")
                    }
                    delay = .milliseconds(Int64(seconds * 1000))
                }
            }
            try? await Task.sleep(for: delay)
            delay = delay * 2
            attempt += 1
        }
    }

    /// A failed answer explained: the SCIM error's `scimType` and `detail` when there are some.
    /// `connecting`: while the connection's settings are checked (no person is waiting for a retry).
    static func failure(_ answer: Answer, doing what: String, connecting: Bool = false) -> TargetFailure {
        // the app is a host a workspace chose: what it says is shown only as a short excerpt
        let error = answer.decoded(SCIMErrorBody.self)
        let scimType = error?.scimType.map { $0.excerpt(40) }
        let detail = error?.detail.map { $0.excerpt() }
        let notJSON = !answer.isJSONObject && !answer.bodyText.isEmpty
        let said = detail.map { ": \($0)" } ?? (notJSON ? " (not a SCIM error body)" : "")
        let code = "scim_\(answer.status)" + (scimType.map { "_\($0)" } ?? "")
        let later = connecting ? "check the app's SCIM endpoint and try again" : "the person is tried again later"
        switch answer.status {
        case 300...399:
            let target = answer.location.map { " to \($0.excerpt(200))" } ?? ""
            return TargetFailure(code: code, explanation: "The app redirected\(target) while \(what); Rollcall does not follow redirects, "
                                 + "since the SCIM token would go along. If that is the app's SCIM address, save it as the connection's base URL.",
                                 retryable: true)
        case 401, 403:
            return TargetFailure(code: code, explanation: "The app refused Rollcall's SCIM token while \(what)\(said). "
                                 + "Create a new SCIM token in the app and save it in the connection's target settings.", retryable: true)
        case 404:
            return TargetFailure(code: code, explanation: "Not found while \(what)\(said).", retryable: true)
        case 409:
            return TargetFailure(code: code, explanation: "The app reports a conflict while \(what)\(said): another user holds the same "
                                 + "userName or e-mail and could not be matched to this person.", retryable: true)
        case 400...499:
            return TargetFailure(code: code, explanation: "The app rejected the request while \(what)\(said). Check the connection's "
                                 + "mapping for the fields the app requires.", retryable: true)
        case 429:
            return TargetFailure(code: code, explanation: "The app kept rate-limiting Rollcall while \(what); \(later).", retryable: true)
        case 500...599:
            // "the app failed listing users (HTTP 500: …)": the app's own error, often an HTML page
            let why = detail.map { ": \($0)" } ?? (notJSON ? ", not a SCIM error body" : "")
            return TargetFailure(code: code, explanation: "The app failed \(what) (HTTP \(answer.status)\(why)); \(later).", retryable: true)
        default:
            return TargetFailure(code: code, explanation: "The app answered HTTP \(answer.status) while \(what)\(said); \(later).", retryable: true)
        }
    }

    static func describe(_ error: any Error) -> String { "\(error)".excerpt() }
}

/// At most `limit` holders at once; the rest wait in order.
actor Gate {
    let limit: Int
    var inside = 0
    var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    func enter() async {
        if inside < limit {
            inside += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            inside -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
