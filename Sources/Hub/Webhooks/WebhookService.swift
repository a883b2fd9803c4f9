import Fluent
import Foundation
import Provisioning

/// A connection's webhook endpoints: made with a secret shown once, rotated with a grace period,
/// deleted; and their deliveries, listed and re-sent (the API).
struct WebhookService: Sendable {
    let database: any Database
    let environment: HubEnvironment
    /// How long the previous secret still signs after a rotation.
    static let rotationGrace: TimeInterval = 86_400

    /// An endpoint as it is asked for.
    struct Input: Codable, Sendable {
        var url: String?
        var events: [String]?
    }

    /// The connection's endpoints.
    func endpoints(of connection: ConnectionModel) async throws -> [WebhookEndpointModel] {
        try await WebhookEndpointModel.query(on: database).filter(\.$connection.$id == connection.requireID()).all()
    }

    /// An endpoint of one of the workspace's connections.
    func endpoint(_ id: UUID?, workspaceID: UUID) async throws -> WebhookEndpointModel {
        guard let id, let model = try await WebhookEndpointModel.query(on: database).filter(\.$id == id).join(parent: \.$connection)
            .filter(ConnectionModel.self, \.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("webhook") }
        return model
    }

    /// A new endpoint and its secret (the only time the secret is shown).
    func create(_ input: Input, for connection: ConnectionModel) async throws -> (endpoint: WebhookEndpointModel, secret: String) {
        let text = try InputRules.httpAddress(input.url, field: "url", message: "url is the http(s) address that receives the events").text
        try await OutboundCheck.check(text, .webhook, field: "url", with: environment)
        let events = input.events ?? ["*"]
        guard !events.isEmpty else { throw ServiceError.invalid("events", "events lists event types, or [\"*\"] for all") }
        for (index, event) in events.enumerated() where event != "*" && !WebhookEvent.types.contains(event) {
            throw ServiceError.invalid("events[\(index)]", "\(event) is not an event type; one of \(WebhookEvent.types.joined(separator: ", "))")
        }
        let secret = WebhookSigner.newSecret()
        let id = UUID()
        let endpoint = WebhookEndpointModel(id: id, connectionID: try connection.requireID(), url: text,
                                            sealedSecret: try environment.vault.seal(secret, context: WebhookDispatcher.secretContext(id)),
                                            events: events)
        try await endpoint.create(on: database)
        return (endpoint, secret)
    }

    func delete(_ endpoint: WebhookEndpointModel) async throws {
        try await endpoint.delete(on: database)
    }

    /// A new secret; the old one keeps signing (as a second signature) for `rotationGrace`.
    func rotate(_ endpoint: WebhookEndpointModel) async throws -> String {
        let secret = WebhookSigner.newSecret()
        endpoint.sealedPreviousSecret = endpoint.sealedSecret
        endpoint.previousExpiresAt = environment.now().addingTimeInterval(Self.rotationGrace)
        endpoint.sealedSecret = try environment.vault.seal(secret, context: WebhookDispatcher.secretContext(try endpoint.requireID()))
        try await endpoint.save(on: database)
        return secret
    }

    /// A delivery status as asked for (pending, delivered or dead).
    static func status(_ text: String?) throws(ServiceError) -> WebhookDeliveryModel.Status? {
        guard let text else { return nil }
        guard let status = WebhookDeliveryModel.Status(rawValue: text) else { throw .invalid("status", "status is pending, delivered or dead") }
        return status
    }

    /// The endpoint's deliveries, newest first (`status`: only those).
    func deliveries(of endpoint: WebhookEndpointModel, status: WebhookDeliveryModel.Status?, limit: Int) async throws -> [WebhookDeliveryModel] {
        var query = WebhookDeliveryModel.query(on: database).filter(\.$endpoint.$id == (try endpoint.requireID()))
        if let status { query = query.filter(\.$status == status) }
        return try await query.sort(\.$id, .descending).limit(limit).all()
    }

    /// Queues a dead (or delivered) delivery again, with the same event id, for three more days of attempts.
    func resend(_ sequence: Int?, workspaceID: UUID) async throws {
        guard let sequence, let delivery = try await WebhookDeliveryModel.query(on: database).filter(\.$id == sequence)
            .join(parent: \.$endpoint).join(ConnectionModel.self, on: \WebhookEndpointModel.$connection.$id == \ConnectionModel.$id)
            .filter(ConnectionModel.self, \.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("delivery") }
        guard delivery.status != .pending else {
            throw ServiceError.conflict("pending", "The delivery is still pending; it is retried on its own.")
        }
        let now = environment.now()
        delivery.status = .pending
        delivery.attempts = 0
        delivery.nextAttemptAt = now
        delivery.createdAt = now
        delivery.claimedUntil = nil
        try await delivery.save(on: database)
    }
}
