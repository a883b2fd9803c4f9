import Fluent
import FluentSQL
import Foundation

/// Keeps the run history from growing without bound: a connection due every minute records 1,440 runs
/// a day, most of which found nothing to do. Such idle runs (succeeded, no operation, nobody skipped, no
/// error, not a preview) go after `idleRunRetention`; each connection keeps its latest run, and every
/// run that did or skipped anything, failed or held is kept.
struct RunRetention: Sendable {
    let database: any Database
    let now: @Sendable () -> Date

    static let idleRunRetention: TimeInterval = 24 * 3600

    /// Deletes idle runs older than the retention, `chunk` at a time (short transactions, so runs going
    /// on meanwhile do not wait long); how many went.
    @discardableResult
    func purgeIdleRuns(chunk: Int = 5000) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { return 0 }
        let cutoff = now().addingTimeInterval(-Self.idleRunRetention)
        var purged = 0
        while true {
            let rows = try await sql.raw("""
                DELETE FROM runs WHERE id IN (SELECT r.id FROM runs r WHERE r.started_at < \(bind: cutoff) \
                AND r.status = \(bind: RunModel.Status.succeeded.rawValue) AND r.counts = \(bind: "{}") AND r.skipped = \(bind: 0) \
                AND r.error IS NULL AND r.dry_run = \(bind: false) \
                AND EXISTS (SELECT 1 FROM runs n WHERE n.connection_id = r.connection_id AND n.started_at > r.started_at) \
                LIMIT \(literal: chunk)) RETURNING id
                """).all()
            purged += rows.count
            if rows.count < chunk { return purged }
        }
    }
}
