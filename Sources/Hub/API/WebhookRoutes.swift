import Fluent
import Foundation
import Provisioning
import Vapor

/// A connection's webhook endpoints, their secrets (shown once, rotated with a grace period) and
/// their deliveries (dead letters listed and re-sent).
struct WebhookRoutes: RouteCollection {
    let environment: HubEnvironment

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

    typealias EndpointInput = WebhookService.Input

    func webhooks(_ request: Request) -> WebhookService { WebhookService(database: request.db, environment: environment) }

    func list(_ request: Request) async throws -> Response {
        let models = try await webhooks(request).endpoints(of: try await API.connection(request))
        return try API.encode(API.List(data: try models.map { try EndpointView($0) }), status: .ok)
    }

    func create(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let (endpoint, secret) = try await webhooks(request).create(try request.strictContent(EndpointInput.self), for: connection)
        return try API.encode(try EndpointView(endpoint, secret: secret), status: .created)
    }

    func delete(_ request: Request) async throws -> HTTPStatus {
        try await webhooks(request).delete(try await endpoint(request))
        return .noContent
    }

    /// A new secret; the old one keeps signing (as a second signature) for a day.
    func rotate(_ request: Request) async throws -> Response {
        try request.noBody()
        let endpoint = try await endpoint(request)
        let secret = try await webhooks(request).rotate(endpoint)
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
        let status = try WebhookService.status(request.query[String.self, at: "status"])
        let limit = try request.integer("limit", in: 1...1000, default: 100, "limit must be between 1 and 1000")
        let rows = try await webhooks(request).deliveries(of: endpoint, status: status, limit: limit)
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
        try await webhooks(request).resend(request.parameters.get(.delivery, as: Int.self), workspaceID: try request.workspace.workspaceID)
        return .accepted
    }

    private func endpoint(_ request: Request) async throws -> WebhookEndpointModel {
        try await webhooks(request).endpoint(request.parameters.get(.webhook, as: UUID.self), workspaceID: try request.workspace.workspaceID)
    }
}
