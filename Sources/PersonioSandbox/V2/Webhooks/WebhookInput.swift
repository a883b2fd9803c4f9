import Foundation
import PersonioAPI

/// The body of `POST /v2/webhooks` and `PATCH /v2/webhooks/{id}`, checked field by field.
struct WebhookInput {
    var url: String?
    var description: String??
    var status: WebhookSubscription.Status?
    var authType: WebhookSubscription.AuthType?
    var token: String??
    var customHeaders: [WebhookSubscription.Header]?
    var enabledEvents: [String]?

    static let fields: Set<String> = ["url", "description", "status", "auth_type", "token", "custom_headers", "enabled_events"]

    init(_ body: [String: PlainValue]) throws(V2Failure) {
        if let unknown = body.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw .invalidField(unknown, "\(unknown) is not a field of a webhook.")
        }
        if let value = body["url"] {
            guard let text = value.string, Self.acceptable(url: text) else {
                throw .invalidField("url", "url must be an https URL (http is accepted for loopback addresses only).")
            }
            url = text
        }
        if let value = body["description"] {
            guard value.isNull || (value.string.map { $0.count <= 255 } ?? false) else {
                throw .invalidField("description", "description must be text of at most 255 characters.")
            }
            description = .some(value.string)
        }
        if let value = body["status"] {
            guard let status = value.string.flatMap(WebhookSubscription.Status.init(rawValue:)) else {
                throw .invalidField("status", "status must be ENABLED or DISABLED.")
            }
            self.status = status
        }
        if let value = body["auth_type"] {
            guard let type = value.string.flatMap(WebhookSubscription.AuthType.init(rawValue:)) else {
                throw .invalidField("auth_type", "auth_type must be TOKEN, NONE or CUSTOM.")
            }
            authType = type
        }
        if let value = body["token"] {
            guard value.isNull || (value.string.map { !$0.isEmpty && $0.count <= 1024 } ?? false) else {
                throw .invalidField("token", "token must be non-empty text.")
            }
            token = .some(value.string)
        }
        if let value = body["custom_headers"] {
            guard case .array(let items) = value, items.count <= 3 else {
                throw .invalidField("custom_headers", "custom_headers must be a list of at most 3 {name, value}.")
            }
            var headers: [WebhookSubscription.Header] = []
            for (index, item) in items.enumerated() {
                guard let name = item["name"]?.string, Self.isHeaderName(name), let headerValue = item["value"]?.string,
                      !headerValue.contains("\r"), !headerValue.contains("\n") else {
                    throw .invalidField("custom_headers[\(index)]", "a custom header needs a name (letters, digits, -) and a value on one line.")
                }
                headers.append(.init(name: name, value: headerValue))
            }
            customHeaders = headers
        }
        if let value = body["enabled_events"] {
            guard case .array(let items) = value, !items.isEmpty else {
                throw .invalidField("enabled_events", "enabled_events must name at least one event.")
            }
            var events: [String] = []
            for (index, item) in items.enumerated() {
                guard let name = item.string, WebhookSubscription.eventNames.contains(name) else {
                    throw .invalidField("enabled_events[\(index)]",
                                        "\(item.string ?? "this") is not an event; events are "
                                                          + "\(WebhookSubscription.eventNames.joined(separator: ", ")).")
                }
                if !events.contains(name) { events.append(name) }
            }
            enabledEvents = events
        }
    }

    /// Checks that a subscription's auth settings fit together.
    static func checkAuth(_ subscription: WebhookSubscription) throws(V2Failure) {
        switch subscription.authType {
        case .TOKEN where subscription.token == nil: throw .invalidField("token", "auth_type TOKEN needs a token.")
        case .CUSTOM where subscription.customHeaders.isEmpty:
            throw .invalidField("custom_headers", "auth_type CUSTOM needs one to three custom_headers.")
        default: break
        }
    }

    static func acceptable(url text: String) -> Bool {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else { return false }
        if components.scheme == "https" { return true }
        return components.scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
    }

    private static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" }
            && name.lowercased() != "content-type" && name.lowercased() != "host"
    }
}
