import Fluent
import Foundation

/// The deletion brake's held batches: what a run held back, and the release or discard an admin
/// decides on (API and dashboard), recorded with who decided.
struct HeldBatchService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    /// The connection's held batches, newest first, with the people of those still held.
    func batches(of connectionID: UUID) async throws -> [(batch: HeldBatchModel, people: [RunOperationModel]?)] {
        let batches = try await HeldBatchModel.query(on: database).filter(\.$connection.$id == connectionID).sort(\.$createdAt, .descending).all()
        var result: [(batch: HeldBatchModel, people: [RunOperationModel]?)] = []
        for batch in batches {
            let people = batch.status == .held
                ? try await RunOperationModel.query(on: database).filter(\.$run.$id == batch.$run.id).filter(\.$outcome == .held)
                    .sort(\.$personioID).all()
                : nil
            result.append((batch, people))
        }
        return result
    }

    /// The connection's batches still held, with their people.
    func held(of connectionID: UUID) async throws -> [(batch: HeldBatchModel, people: [RunOperationModel])] {
        var result: [(batch: HeldBatchModel, people: [RunOperationModel])] = []
        for batch in try await HeldBatchModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$status == .held).all() {
            result.append((batch, try await RunService.operations(of: batch.$run.id, outcome: .held, on: database)))
        }
        return result
    }

    /// How many of the connection's batches are still held.
    func heldCount(of connectionID: UUID) async throws -> Int {
        try await HeldBatchModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$status == .held).count()
    }

    /// Releases or discards a held batch of the workspace.
    func decide(batchID id: UUID, _ status: HeldBatchModel.Status, workspaceID: UUID, actor: String) async throws -> HeldBatchModel {
        guard let batch = try await HeldBatchModel.query(on: database).filter(\.$id == id).join(parent: \.$connection)
                .filter(ConnectionModel.self, \.$workspace.$id == workspaceID).first() else { throw ServiceError.notFound("held batch") }
        guard batch.status == .held else {
            throw ServiceError.conflict("already_decided", "This batch was already \(batch.status.rawValue).")
        }
        let now = self.now()
        batch.status = status
        batch.decidedAt = now
        batch.decidedBy = actor
        try await batch.save(on: database)
        if status == .released, let connection = try await ConnectionModel.find(batch.$connection.id, on: database) {
            // the held people need not change in Personio again: the next run reads everyone and carries the batch out, soon
            connection.scheduleFullListing(now: now)
            try await connection.save(on: database)
        }
        let action: AuditAction = status == .released ? .heldBatchReleased : .heldBatchDiscarded
        try await AuditLog(database: database).record(action, workspaceID: workspaceID, actor: actor, subject: "connection \(batch.$connection.id)",
                                                      detail: "\(batch.removals) removals", at: now)
        return batch
    }
}
