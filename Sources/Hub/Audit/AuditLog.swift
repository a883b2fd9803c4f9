import Fluent
import Foundation

/// What the audit log records: who did what to which thing. The raw values are what the log, the
/// audit page and `GET /api/v1/audit` show.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    case workspaceCreated = "workspace.created"
    case tokenCreated = "token.created"
    case userSignedIn = "user.signed_in"
    case userSignedOut = "user.signed_out"
    case userInvited = "user.invited"
    case userJoined = "user.joined"
    case sourceCreated = "source.created"
    case sourceCredentialsRotated = "source.credentials_rotated"
    case sourceUpdated = "source.updated"
    case sourceDeleted = "source.deleted"
    case connectionCreated = "connection.created"
    case connectionUpdated = "connection.updated"
    case connectionPaused = "connection.paused"
    case connectionResumed = "connection.resumed"
    case connectionDeleted = "connection.deleted"
    case connectionWithheldAccepted = "connection.withheld_accepted"
    case heldBatchReleased = "held_batch.released"
    case heldBatchDiscarded = "held_batch.discarded"
    case peopleApproved = "people.approved"
    case peopleRejected = "people.rejected"
    case handoffSent = "handoff.sent"
    case absenceKindsSet = "absence_kinds.set"
    case absenceCreated = "absence.created"
    case absenceChanged = "absence.changed"
    case absenceCancelled = "absence.cancelled"
}

/// Records who did what, in the workspace's audit log (every way in writes through it).
struct AuditLog: Sendable {
    let database: any Database

    /// The workspace's latest events, newest first.
    func recent(workspaceID: UUID, limit: Int) async throws -> [AuditEventModel] {
        try await AuditEventModel.query(on: database).filter(\.$workspace.$id == workspaceID).sort(\.$createdAt, .descending).limit(limit).all()
    }

    func record(_ action: AuditAction, workspaceID: UUID, actor: String, subject: String, detail: String, at date: Date) async throws {
        try await AuditEventModel(workspaceID: workspaceID, actor: actor, action: action.rawValue, subject: subject, detail: detail, at: date)
            .save(on: database)
    }
}
