import Fluent
import Foundation
import SyncEngine

/// Drafts and their approval, for presets whose people wait for an HR admin (`eor-onboarding`):
/// the admin picks people among the drafts, sets the country of the import, and approves; the run
/// that follows provisions them (API and dashboard).
struct ApprovalService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date
    /// Runs a connection now (a full listing); `SyncError.busy` while another run is under way.
    let runNow: @Sendable (UUID) async throws -> RunReport

    init(database: any Database, now: @escaping @Sendable () -> Date, runNow: @escaping @Sendable (UUID) async throws -> RunReport) {
        self.database = database
        self.now = now
        self.runNow = runNow
    }

    init(runs: RunService, database: any Database) {
        self.init(database: database, now: runs.environment.now, runNow: { try await runs.runNow($0, full: true) })
    }

    /// Whom to decide on, and for approvals the country of the import.
    struct Decision: Codable, Sendable {
        var personioIds: [Int]?
        var country: String?

        enum CodingKeys: CodingKey, CaseIterable {
            case country, personioIds
        }
    }

    struct Approved: Sendable {
        var approved: [Int]
        /// The run that provisioned them; nil when another run was under way (the next one does it).
        var run: RunReport?
        var message: String
    }

    /// The drafts HR has not decided on yet (`search`: in the name or the fields), by name, `range`
    /// of them; and how many there are.
    static func undecided(of connectionID: UUID, matching search: String?, range: Range<Int>,
                          on database: any Database) async throws -> (total: Int, drafts: [LinkModel]) {
        var query = LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$state == .draft)
            .filter(\.$approvedAt == nil).filter(\.$rejectedAt == nil)
        if let search { query = query.group(.or) { $0.filter(\.$displayName ~~ search).filter(\.$fields ~~ search) } }
        let total = try await query.copy().count()
        return (total, try await query.sort(\.$displayName).sort(\.$personioID).range(range).all())
    }

    /// The connection's drafts, by Personio id.
    func drafts(of connection: ConnectionModel) async throws -> [LinkModel] {
        try await LinkModel.query(on: database).filter(\.$connection.$id == connection.requireID())
            .filter(\.$state == .draft).sort(\.$personioID).all()
    }

    /// Validates and records an approval, then runs the connection.
    func approve(_ input: Decision, connection: ConnectionModel, workspaceID: UUID, actor: String) async throws -> Approved {
        let connectionID = try connection.requireID()
        try requireApproval(connection, "approve")
        let ids = try Self.validIDs(input.personioIds)
        var importFields: [String: String] = [:]
        if let country = input.country?.trimmingCharacters(in: .whitespaces).uppercased(), !country.isEmpty {
            guard Countries.isKnown(country) else {
                throw ServiceError.invalid("country",
                                           "\(country.prefix(10)) is not a country: country is an ISO 3166-1 alpha-2 code such as DE or ES")
            }
            importFields["country"] = country
        } else if connection.preset == Preset.eorOnboarding.id {
            throw ServiceError.invalid("country", "country is required: the country of employment for this import, e.g. DE")
        }

        let rows = try await drafts(ids, connectionID: connectionID)
        let now = self.now()
        let fieldsText = importFields.isEmpty ? nil : try StoredJSON.text(importFields)
        let detail = "\(ids.count) approved\(importFields["country"].map { " for \($0)" } ?? ""): \(ids.map(String.init).joined(separator: ", "))"
        try await database.transaction { database in
            for row in rows {
                row.approvedAt = now
                row.approvedBy = actor
                row.rejectedAt = nil
                row.rejectedBy = nil
                if let fieldsText { row.importFields = fieldsText }
                try await row.save(on: database)
            }
            try await AuditLog(database: database).record(.peopleApproved, workspaceID: workspaceID, actor: actor,
                                                          subject: "connection \(connectionID)",
                                      detail: detail, at: now)
        }
        do {
            let report = try await runNow(connectionID)
            return Approved(approved: ids, run: report, message: "Approved and provisioned by run \(report.runID).")
        } catch SyncError.busy {
            return Approved(approved: ids, run: nil, message: "Approved. A run of this connection is under way; the next run provisions them.")
        }
    }

    /// Records that HR will not onboard these drafts; nothing is sent anywhere.
    func reject(_ input: Decision, connection: ConnectionModel, workspaceID: UUID, actor: String) async throws -> [Int] {
        let connectionID = try connection.requireID()
        try requireApproval(connection, "reject")
        let ids = try Self.validIDs(input.personioIds)
        let rows = try await drafts(ids, connectionID: connectionID)
        let now = self.now()
        try await database.transaction { database in
            for row in rows {
                row.rejectedAt = now
                row.rejectedBy = actor
                try await row.save(on: database)
            }
            try await AuditLog(database: database).record(.peopleRejected, workspaceID: workspaceID, actor: actor,
                                                          subject: "connection \(connectionID)",
                                      detail: "\(ids.count) rejected: \(ids.map(String.init).joined(separator: ", "))", at: now)
        }
        return ids
    }

    private func requireApproval(_ connection: ConnectionModel, _ verb: String) throws {
        let rules = try connection.connectionRules()
        guard rules.policy.requiresApproval else {
            throw ServiceError.conflict("approval_not_required",
                                        "The \(connection.preset) preset provisions people without approval; there is nothing to \(verb).")
        }
    }

    /// At most 1000 ids, none twice; each problem names its position.
    static func validIDs(_ ids: [Int]?) throws(ServiceError) -> [Int] {
        guard let ids, !ids.isEmpty else {
            throw .invalid("personio_ids", "personio_ids lists the Personio ids of the drafts")
        }
        guard ids.count <= 1000 else { throw .invalid("personio_ids", "decide on at most 1000 people at once") }
        if let duplicate = Dictionary(grouping: ids.indices, by: { ids[$0] }).first(where: { $0.value.count > 1 }) {
            throw .invalid("personio_ids[\(duplicate.value[1])]", "personio id \(duplicate.key) is listed twice")
        }
        return ids
    }

    /// The links for `ids`, each a draft of this connection (or an error naming its position).
    func drafts(_ ids: [Int], connectionID: UUID) async throws -> [LinkModel] {
        let rows = try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$personioID ~~ ids).all()
        let byID = Dictionary(rows.map { ($0.personioID, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, id) in ids.enumerated() {
            guard let row = byID[id] else {
                throw ServiceError.invalid("personio_ids[\(index)]", "personio id \(id) is not among this connection's people")
            }
            guard row.state == .draft else {
                throw ServiceError.invalid("personio_ids[\(index)]", "personio id \(id) is \(row.state.rawValue), not a draft awaiting approval")
            }
        }
        return rows
    }
}
