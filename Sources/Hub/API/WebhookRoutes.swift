import Fluent
import Foundation
import Provisioning
import Vapor

/// A connection's webhook endpoints, their secrets (shown once, rotated with a grace period) and
/// their deliveries (dead letters listed and re-sent).
struct WebhookRoutes: RouteCollection {
    let environment: HubEnvironment
    /// How long the previous secret still signs after a rotation.
    static let rotationGrace: TimeInterval = 86_400

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.GET, .connectionWebhooks(), use: list)
        api.on(.POST, .connectionWebhooks(), use: create)
        api.on(.DELETE, .webhook(), use: delete)
        api.on(.POST, .webhookRotate(), use: rotate)
        api.on(.GET, .webhookDeliveries(), use: deliveries)
        api.on(.POST, .deliveryResend(), use: resend)
    }

    struct EndpointView: APIContent {
        var id: UUID
        var connectionID: UUID
        var url: String
        var events: [String]
        var enabled: Bool
        var previousSecretValidUntil: Date?
        /// Only in the answer that created or rotated it.
        var secret: String?

        init(_ model: WebhookEndpointModel, secret: String? = nil) throws {
            id = try model.requireID()
            connectionID = model.$connection.id
            url = model.url
            events = model.events
            enabled = model.enabled
            previousSecretValidUntil = model.previousExpiresAt
            self.secret = secret
        }
    }

    struct EndpointInput: APIContent {
        var url: String?
        var events: [String]?
    }

    func list(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let models = try await WebhookEndpointModel.query(on: request.db).filter(\.$connection.$id == connection.requireID()).all()
        return try API.encode(API.List(data: try models.map { try EndpointView($0) }), status: .ok)
    }

    func create(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let input = try request.strictContent(EndpointInput.self)
        let text = try InputRules.httpAddress(input.url, field: "url", message: "url is the http(s) address that receives the events").text
        try await OutboundCheck.check(text, .webhook, field: "url", with: environment)
        let events = input.events ?? ["*"]
        guard !events.isEmpty else { throw APIError.invalid("events", "events lists event types, or [\"*\"] for all") }
        for (index, event) in events.enumerated() where event != "*" && !WebhookEvent.types.contains(event) {
            throw APIError.invalid("events[\(index)]", "\(event) is not an event type; one of \(WebhookEvent.types.joined(separator: ", "))")
        }
        let secret = WebhookSigner.newSecret()
        let id = UUID()
        let endpoint = WebhookEndpointModel(id: id, connectionID: try connection.requireID(), url: text,
                                            sealedSecret: try environment.vault.seal(secret, context: WebhookDispatcher.secretContext(id)),
                                            events: events)
        try await endpoint.create(on: request.db)
        return try API.encode(try EndpointView(endpoint, secret: secret), status: .created)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        try await endpoint(request).delete(on: request.db)
        return .noContent
    }

    /// A new secret; the old one keeps signing (as a second signature) for a day.
    func rotate(_ request: Request) async throws -> Response {
        try request.noBody()
        let endpoint = try await endpoint(request)
        let id = try endpoint.requireID()
        let secret = WebhookSigner.newSecret()
        endpoint.sealedPreviousSecret = endpoint.sealedSecret
        endpoint.previousExpiresAt = environment.now().addingTimeInterval(Self.rotationGrace)
        endpoint.sealedSecret = try environment.vault.seal(secret, context: WebhookDispatcher.secretContext(id))
        try await endpoint.save(on: request.db)
        return try API.encode(try EndpointView(endpoint, secret: secret), status: .ok)
    }

    struct DeliveryView: APIContent {
        var id: Int
        var eventID: String
        var type: String
        var personioID: Int?
        var status: String
        var attempts: Int
        var nextAttemptAt: Date?
        var lastStatus: Int?
        var lastError: String?
        var createdAt: Date
        var deliveredAt: Date?
    }

    func deliveries(_ request: Request) async throws -> Response {
        let endpoint = try await endpoint(request)
        var query = WebhookDeliveryModel.query(on: request.db).filter(\.$endpoint.$id == (try endpoint.requireID()))
        if let status = request.query[String.self, at: "status"] {
            guard let value = WebhookDeliveryModel.Status(rawValue: status) else {
                throw APIError.invalid("status", "status is pending, delivered or dead")
            }
            query = query.filter(\.$status == value)
        }
        let limit = try request.integer("limit", in: 1...1000, default: 100, "limit must be between 1 and 1000")
        let rows = try await query.sort(\.$id, .descending).limit(limit).all()
        let views = try rows.map { row in
            DeliveryView(id: try row.requireID(), eventID: row.eventID, type: row.type, personioID: row.personioID, status: row.status.rawValue,
                         attempts: row.attempts, nextAttemptAt: row.status == .pending ? row.nextAttemptAt : nil, lastStatus: row.lastStatus,
                         lastError: row.lastError, createdAt: row.createdAt, deliveredAt: row.deliveredAt)
        }
        return try API.encode(API.List(data: views), status: .ok)
    }

    /// Queues a dead (or delivered) delivery again, with the same event id, for three more days of attempts.
    func resend(_ request: Request) async throws -> HTTPStatus {
        try request.noBody()
        let scope = try request.workspace
        guard let sequence = request.parameters.get(.delivery, as: Int.self),
              let delivery = try await WebhookDeliveryModel.query(on: request.db).filter(\.$id == sequence)
                .join(parent: \.$endpoint).join(ConnectionModel.self, on: \WebhookEndpointModel.$connection.$id == \ConnectionModel.$id)
                .filter(ConnectionModel.self, \.$workspace.$id == scope.workspaceID).first() else { throw APIError.notFound("delivery") }
        guard delivery.status != .pending else {
            throw APIError(status: .conflict, code: "pending", message: "The delivery is still pending; it is retried on its own.")
        }
        let now = environment.now()
        delivery.status = .pending
        delivery.attempts = 0
        delivery.nextAttemptAt = now
        delivery.createdAt = now
        delivery.claimedUntil = nil
        try await delivery.save(on: request.db)
        return .accepted
    }

    private func endpoint(_ request: Request) async throws -> WebhookEndpointModel {
        let scope = try request.workspace
        guard let id = request.parameters.get(.webhook, as: UUID.self),
              let model = try await WebhookEndpointModel.query(on: request.db).filter(\.$id == id).join(parent: \.$connection)
                .filter(ConnectionModel.self, \.$workspace.$id == scope.workspaceID).first() else { throw APIError.notFound("webhook") }
        return model
    }
}
