import Fluent
import FluentSQL
import Foundation

/// A connection's lease in the database: whoever holds it (a scheduler instance, or a run started
/// by hand) is the only one running that connection until it releases it or it expires.
struct Lease: Sendable {
    let database: any Database
    let owner: String
    let now: @Sendable () -> Date
    var duration: TimeInterval = 30

    /// Takes the connection's lease if it is free or expired.
    func acquire(_ connectionID: UUID) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return true }
        let current = now()
        let rows = try await sql.raw("""
            UPDATE connections SET lease_owner = \(bind: owner), lease_expires_at = \(bind: current.addingTimeInterval(duration)) \
            WHERE id = \(bind: connectionID) AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: current)) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Renews this owner's leases until cancelled.
    func keepAlive() -> Task<Void, Never> {
        Task { [database, owner, duration, now] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(max(duration / 3, 0.05)))
                guard !Task.isCancelled else { return }
                try? await ConnectionModel.query(on: database).filter(\.$leaseOwner == owner)
                    .set(\.$leaseExpiresAt, to: now().addingTimeInterval(duration)).update()
            }
        }
    }

    func release(_ ids: [UUID]) async throws {
        try await ConnectionModel.query(on: database).filter(\.$id ~~ ids).filter(\.$leaseOwner == owner)
            .set(\.$leaseOwner, to: nil).set(\.$leaseExpiresAt, to: nil).update()
    }
}
