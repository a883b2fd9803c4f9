import Foundation

/// A v2 webhook subscription, as `POST /v2/webhooks` creates it. The token and custom header values
/// are secrets: stored to be sent, never shown again.
struct WebhookSubscription: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable { case ENABLED, DISABLED }
    enum AuthType: String, Codable, Sendable { case TOKEN, NONE, CUSTOM }

    struct Header: Codable, Sendable, Equatable {
        var name: String
        var value: String
    }

    var id: String
    /// The credential that made it (each credential sees its own subscriptions).
    var clientId: String
    var url: String
    var description: String?
    var status: Status
    var authType: AuthType
    var token: String?
    var customHeaders: [Header]
    var enabledEvents: [String]
    var createdAt: Date
    var updatedAt: Date

    static let eventNames: [String] = [
        "person.created", "person.updated", "person.deleted",
        "employment.created", "employment.updated", "employment.deleted", "employment.started", "employment.terminated",
        "absence-period.created", "absence-period.updated.status", "absence-period.updated.timerange", "absence-period.deleted",
    ]
}

/// One event emitted to one subscription, with its deliveries so far (kept 30 days).
struct WebhookEvent: Sendable {
    enum State: String, Sendable { case PENDING, DELIVERED, FAILED }

    var id: String
    var subscriptionId: String
    var name: String
    var occurredAt: Date
    /// `payload.id` (and `person_id` for employments and absence periods).
    var payload: [(String, String)]
    var state: State = .PENDING
    var attempts = 0
    var lastStatus: Int?
    var lastError: String?
    /// When the next attempt is due (real time), while pending.
    var dueAt: Date
    /// Whether this delivery is being sent right now.
    var inFlight = false
}
