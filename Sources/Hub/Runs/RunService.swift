import Foundation

/// Runs on demand (API, dashboard, approvals) and what the next run would do to one person; the
/// sync pipeline itself is `SyncRunner`'s.
struct RunService: Sendable {
    let runner: SyncRunner

    var environment: HubEnvironment { runner.environment }

    /// Syncs one connection now, holding its lease; `SyncError.busy` while another run holds it.
    func runNow(_ connectionID: UUID, full: Bool? = nil, dryRun: Bool = false) async throws -> RunReport {
        try await runner.runNow(connectionID: connectionID, full: full, dryRun: dryRun)
    }

    /// What the next run would do to one person, and why (changes nothing).
    func explain(connectionID: UUID, personioID: Int) async throws -> SyncRunner.Explanation {
        try await runner.explain(connectionID: connectionID, personioID: personioID)
    }
}
