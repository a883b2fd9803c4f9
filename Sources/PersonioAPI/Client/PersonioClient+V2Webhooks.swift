import Foundation

/// A v2 webhook subscription as Personio shows it (never its token or header values).
public struct PersonioWebhook: Sendable, Equatable {
    public var id: String
    public var url: String
    public var description: String?
    /// `ENABLED` or `DISABLED`.
    public var status: String
    /// `TOKEN`, `NONE` or `CUSTOM`.
    public var authType: String
    public var enabledEvents: [String]
}

/// What a subscription should be: its URL, events and how Personio authenticates to it.
public struct PersonioWebhookSettings: Sendable {
    public enum Authentication: Sendable {
        case none
        /// Sent verbatim as `Authorization`.
        case token(String)
        /// Up to three static headers.
        case headers([(name: String, value: String)])
    }

    public var url: String
    public var description: String?
    public var enabled: Bool
    public var authentication: Authentication
    public var events: [String]

    public init(url: String, description: String? = nil, enabled: Bool = true, authentication: Authentication = .none, events: [String]) {
        self.url = url
        self.description = description
        self.enabled = enabled
        self.authentication = authentication
        self.events = events
    }

    var body: [String: Any] {
        var body: [String: Any] = ["url": url, "status": enabled ? "ENABLED" : "DISABLED", "enabled_events": events]
        if let description { body["description"] = description }
        switch authentication {
        case .none: body["auth_type"] = "NONE"
        case .token(let token): body["auth_type"] = "TOKEN"; body["token"] = token
        case .headers(let headers):
            body["auth_type"] = "CUSTOM"
            body["custom_headers"] = headers.map { ["name": $0.name, "value": $0.value] }
        }
        return body
    }
}

extension PersonioClient {
    /// `POST /v2/webhooks`.
    public func createWebhook(_ settings: PersonioWebhookSettings) async throws(PersonioError) -> PersonioWebhook {
        let body = try await send("POST", "/v2/webhooks", body: try json(settings.body), contentType: "application/json",
                                  idempotent: false, api: .v2)
        return try Self.webhook(body)
    }

    /// `GET /v2/webhooks`: this credential's subscriptions.
    public func webhooks() async throws(PersonioError) -> [PersonioWebhook] {
        try await v2List("/v2/webhooks", query: [("limit", "100")]).compactMap(Self.webhook)
    }

    /// `PATCH /v2/webhooks/{id}` with the whole of `settings`.
    public func updateWebhook(id: String, _ settings: PersonioWebhookSettings) async throws(PersonioError) -> PersonioWebhook {
        let body = try await send("PATCH", "/v2/webhooks/\(Self.pathSegment(id))", body: try json(settings.body),
                                  contentType: "application/json", api: .v2)
        return try Self.webhook(body)
    }

    /// `DELETE /v2/webhooks/{id}`.
    public func deleteWebhook(id: String) async throws(PersonioError) {
        _ = try await send("DELETE", "/v2/webhooks/\(Self.pathSegment(id))", api: .v2)
    }

    /// `GET /v2/webhooks/{id}/events`: the names and payload ids of what was emitted (30 days).
    public func webhookEvents(id: String, name: String? = nil) async throws(PersonioError) -> [(name: String, payloadID: String?)] {
        var query = [("limit", "100")]
        if let name { query.append(("event_name", name)) }
        return try await v2List("/v2/webhooks/\(Self.pathSegment(id))/events", query: query).compactMap { item in
            item["event_name"]?.string.map { ($0, item["payload"]?["id"]?.string) }
        }
    }

    static func webhook(_ body: [UInt8]) throws(PersonioError) -> PersonioWebhook {
        guard let item = try? JSONValue.parse(Data(body)), let webhook = webhook(item) else {
            throw .malformedResponse(reason: "the webhook answer has no id")
        }
        return webhook
    }

    static func webhook(_ item: JSONValue) -> PersonioWebhook? {
        guard let id = item["id"]?.string, let url = item["url"]?.string else { return nil }
        return PersonioWebhook(id: id, url: url, description: item["description"]?.string, status: item["status"]?.string ?? "",
                               authType: item["auth_type"]?.string ?? "", enabledEvents: item["enabled_events"]?.array?.compactMap(\.string) ?? [])
    }
}
