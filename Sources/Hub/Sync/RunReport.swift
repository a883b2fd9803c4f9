import Foundation
import SyncEngine

/// What one run of one connection did, for the CLI, the API and tests.
public struct RunReport: Sendable, Codable, Equatable {
    public var runID: UUID
    public var connectionID: UUID
    public var full: Bool
    public var dryRun: Bool
    public var status: RunModel.Status
    /// Operations by kind (`create`, `update`, `archive`, …, and `hold`).
    public var counts: [String: Int]
    /// People left alone and why, by count (not sent yet, out of scope, …).
    public var skipped: Int
    public var personioRequests: Int
    public var brake: String?
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date
}
