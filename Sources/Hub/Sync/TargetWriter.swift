import Fluent
import Foundation
import SyncEngine

/// Where a run's operations go, one batch at a time: the hub's own change feed or a SCIM app. Each
/// writer works out what the batch changes and hands it to the one commit path, `BatchCommit`.
protocol TargetWriter: Sendable {
    /// Writes one batch; how many of its operations failed.
    func write(_ operations: ArraySlice<SyncEngine.Operation>, batch: BatchContext) async throws -> Int
}

/// What a writer needs to know of the run it writes for.
struct BatchContext: Sendable {
    var database: any Database
    var connectionID: UUID
    var runID: UUID
    /// The links loaded for the run, by Personio id (each person has at most one operation in a plan,
    /// so they need no update between batches; links inserted in bulk are loaded afresh next run).
    var rows: [Int: LinkModel]
    var endpoints: [WebhookEndpointModel]
    var date: Date
}

/// What one batch changes in the hub, written in one transaction: the links (new ones in one
/// statement, existing ones row by row), the feed's directory changes, the operation records and
/// the webhook outbox. A run killed at any point leaves whole batches behind.
struct BatchCommit {
    private var newLinks: [LinkModel] = []
    private var changedLinks: [LinkModel] = []
    var changes: [DirectoryChangeModel] = []
    var records: [RunOperationModel] = []
    var events: [WebhookEvent] = []

    mutating func link(_ row: LinkModel) {
        if row.id == nil { newLinks.append(row) } else { changedLinks.append(row) }
    }

    func commit(_ batch: BatchContext) async throws {
        let (inserts, saves, changes, records, events) = (newLinks, changedLinks, changes, records, events)
        let (endpoints, date) = (batch.endpoints, batch.date)
        try await batch.database.transaction { transaction in
            try await BulkInsert.links(inserts, at: date, on: transaction)
            for row in saves { try await row.save(on: transaction) }
            try await BulkInsert.changes(changes, on: transaction)
            try await BulkInsert.operations(records, on: transaction)
            try await WebhookOutbox.enqueue(events, to: endpoints, at: date, on: transaction)
        }
    }
}
