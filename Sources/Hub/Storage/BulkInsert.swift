import Fluent
import FluentSQL
import Foundation

/// Inserts many rows in one statement without Fluent's per-model reflection, which dominated the
/// profile of a first sync (10,000 links, feed changes and run records). Columns are the ones the
/// migrations create; values are bound as Fluent binds them, so the models read them back.
enum BulkInsert {
    static func links(_ rows: [LinkModel], at date: Date, on database: any Database) async throws {
        guard !rows.isEmpty else { return }
        guard let sql = database as? any SQLDatabase else { return try await rows.create(on: database) }
        var insert = sql.insert(into: LinkModel.schema).columns(
            "id", "connection_id", "personio_id", "target_id", "state", "fingerprint", "fields", "display_name", "has_been_active",
            "last_error_code", "last_error", "failures", "retry_after", "updated_at")
        for row in rows {
            let id = row.id ?? UUID()
            row.id = id
            insert = insert.values([id, row.$connection.id, row.personioID, row.targetID, row.state, row.fingerprint, row.fields,
                                    row.displayName, row.hasBeenActive, row.lastErrorCode, row.lastError, row.failures, row.retryAfter,
                                    date] as [any Encodable & Sendable])
        }
        try await insert.run()
    }

    static func changes(_ rows: [DirectoryChangeModel], on database: any Database) async throws {
        guard !rows.isEmpty else { return }
        guard let sql = database as? any SQLDatabase else { return try await rows.create(on: database) }
        var insert = sql.insert(into: DirectoryChangeModel.schema).columns(
            "connection_id", "personio_id", "state", "fields", "changed_fields", "run_id", "created_at")
        for row in rows {
            insert = insert.values([row.$connection.id, row.personioID, row.state, row.fields, row.changedFields, row.runID, row.createdAt]
                                   as [any Encodable & Sendable])
        }
        try await insert.run()
    }

    static func operations(_ rows: [RunOperationModel], on database: any Database) async throws {
        guard !rows.isEmpty else { return }
        guard let sql = database as? any SQLDatabase else { return try await rows.create(on: database) }
        var insert = sql.insert(into: RunOperationModel.schema).columns(
            "id", "run_id", "personio_id", "kind", "reason", "outcome", "changed_fields", "error_code", "error_explanation")
        for row in rows {
            insert = insert.values([row.id ?? UUID(), row.$run.id, row.personioID, row.kind, row.reason, row.outcome.rawValue,
                                    row.changedFields, row.errorCode, row.errorExplanation] as [any Encodable & Sendable])
        }
        try await insert.run()
    }
}
