import Foundation
import SyncEngine

/// The hub's own change feed: every operation is applied (the feed is the hub's database), the link
/// keeps the mapped fields when the connection stores them, and each change is appended to the feed.
struct FeedWriter: TargetWriter {
    /// Whether links keep the mapped fields (presets that store them; fields set at import ride along).
    var storesFields: Bool

    func write(_ operations: ArraySlice<SyncEngine.Operation>, batch: BatchContext) async throws -> Int {
        var commit = BatchCommit()
        for operation in operations {
            guard operation.kind != .hold, let state = operation.resultingState else {
                commit.records.append(SyncRunner.record(operation, runID: batch.runID, outcome: .held))
                continue
            }
            let row = batch.rows[operation.personioID] ?? .unsent(connectionID: batch.connectionID, personioID: operation.personioID, state: state)
            // The fingerprint covers what Personio says; fields set at import ride along.
            var fields = state == .deleted ? [:] : operation.fields
            if state != .deleted, let imported = row.importFields {
                fields.merge(try StoredJSON.fields(imported)) { personio, _ in personio }
            }
            row.confirm(operation, state: state, targetID: row.targetID ?? String(operation.personioID),
                        storedFields: storesFields ? try StoredJSON.text(fields) : nil)
            commit.link(row)
            commit.changes.append(DirectoryChangeModel(connectionID: batch.connectionID, personioID: operation.personioID, state: state,
                                                       fields: try StoredJSON.text(fields), changedFields: operation.changedFields,
                                                       runID: batch.runID, at: batch.date))
            commit.records.append(SyncRunner.record(operation, runID: batch.runID, outcome: .applied))
            if !batch.endpoints.isEmpty,
               let event = WebhookEvent.person(operation, connectionID: batch.connectionID, state: state, fields: fields) {
                commit.events.append(event)
            }
        }
        try await commit.commit(batch)
        return 0
    }
}
