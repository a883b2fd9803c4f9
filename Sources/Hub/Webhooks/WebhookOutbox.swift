import Fluent
import FluentSQL
import Foundation
import SyncEngine

/// One event to send to a connection's webhook endpoints.
struct WebhookEvent: Sendable {
    var type: String
    /// Set for `person.*` events: a person's events are delivered in order.
    var personioID: Int?
    var data: Data

    static func person(_ operation: SyncEngine.Operation, connectionID: UUID, state: LinkState, fields: [String: String]?) -> WebhookEvent? {
        let type: String
        switch operation.kind {
        case .create: type = "person.created"
        case .update: type = "person.updated"
        case .activate: type = "person.activated"
        case .archive: type = "person.archived"
        case .restore: type = "person.restored"
        case .delete: type = "person.deleted"
        case .hold: return nil
        }
        let payload = PersonData(connectionID: connectionID, personioID: operation.personioID, state: state.rawValue,
                                 changedFields: operation.changedFields, fields: fields, reason: operation.reason)
        return WebhookEvent(type: type, personioID: operation.personioID, data: (try? HubJSON.encoder.encode(payload)) ?? Data("{}".utf8))
    }

    static func run(_ report: RunReport) -> WebhookEvent {
        let payload = RunData(connectionID: report.connectionID, runID: report.runID, full: report.full, status: report.status.rawValue,
                              counts: report.counts, brake: report.brake, error: report.error)
        return WebhookEvent(type: report.status == .held ? "run.held" : "run.completed", personioID: nil,
                            data: (try? HubJSON.encoder.encode(payload)) ?? Data("{}".utf8))
    }

    static func connection(_ type: String, connectionID: UUID, error: String?) -> WebhookEvent {
        WebhookEvent(type: type, personioID: nil,
                     data: (try? HubJSON.encoder.encode(ConnectionData(connectionID: connectionID, error: error))) ?? Data("{}".utf8))
    }

    struct PersonData: Encodable {
        var connectionID: UUID
        var personioID: Int
        var state: String
        var changedFields: [String]
        /// The mapped fields after the change, for `feed` connections (SCIM connections keep none).
        var fields: [String: String]?
        var reason: String
    }

    struct RunData: Encodable {
        var connectionID: UUID
        var runID: UUID
        var full: Bool
        var status: String
        var counts: [String: Int]
        var brake: String?
        var error: String?
    }

    struct ConnectionData: Encodable {
        var connectionID: UUID
        var error: String?
    }

    static let types = ["person.created", "person.updated", "person.activated", "person.archived", "person.restored", "person.deleted",
                        "run.completed", "run.held", "connection.failed", "connection.recovered"]
}

/// Writes events into the outbox, one row per endpoint that wants them, in the caller's transaction.
enum WebhookOutbox {
    static func endpoints(of connectionID: UUID, on database: any Database) async throws -> [WebhookEndpointModel] {
        try await WebhookEndpointModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$enabled == true).all()
    }

    static func enqueue(_ events: [WebhookEvent], to endpoints: [WebhookEndpointModel], at date: Date, on database: any Database) async throws {
        guard !events.isEmpty, !endpoints.isEmpty, let sql = database as? any SQLDatabase else { return }
        var rows: [[any Encodable & Sendable]] = []
        for event in events {
            let eventID = "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let payload = envelope(id: eventID, type: event.type, at: date, data: event.data)
            for endpoint in endpoints where endpoint.wants(event.type) {
                guard let endpointID = endpoint.id else { continue }
                rows.append([eventID, endpointID, event.personioID, event.type, payload, WebhookDeliveryModel.Status.pending.rawValue, 0, date,
                             date] as [any Encodable & Sendable])
            }
        }
        for chunk in rows.chunks(of: 500) {
            var insert = sql.insert(into: WebhookDeliveryModel.schema).columns(
                "event_id", "endpoint_id", "personio_id", "type", "payload", "status", "attempts", "next_attempt_at", "created_at")
            for row in chunk { insert = insert.values(row) }
            try await insert.run()
        }
    }

    /// `{"id","type","timestamp","data"}`: the body every delivery of the event carries.
    static func envelope(id: String, type: String, at date: Date, data: Data) -> String {
        let timestamp = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return #"{"data":"# + String(decoding: data, as: UTF8.self) + #","id":"\#(id)","timestamp":"\#(timestamp)","type":"\#(type)"}"#
    }
}
