import Fluent
import Foundation
import SyncEngine
import Vapor

/// Drafts and their approval, for presets whose people wait for an HR admin (`eor-onboarding`):
/// the admin picks people among the drafts, sets the country of the import, and approves; the run
/// that follows provisions them.
struct ApprovalRoutes: RouteCollection {
    let runner: SyncRunner

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(TokenAuthenticator())
        api.get("connections", ":connection", "drafts", use: drafts)
        api.post("connections", ":connection", "approvals", use: approve)
        api.post("connections", ":connection", "rejections", use: reject)
    }

    struct DraftView: Content {
        var personioId: Int
        var displayName: String?
        var fields: [String: String]
        var approvedAt: Date?
        var approvedBy: String?

        enum CodingKeys: String, CodingKey {
            case fields
            case personioId = "personio_id", displayName = "display_name", approvedAt = "approved_at", approvedBy = "approved_by"
        }
    }

    func drafts(_ request: Request) async throws -> Response {
        let connection = try await APIRoutes.connection(request)
        let rows = try await LinkModel.query(on: request.db).filter(\.$connection.$id == connection.requireID())
            .filter(\.$state == .draft).sort(\.$personioID).all()
        let views = try rows.map { row in
            DraftView(personioId: row.personioID, displayName: row.displayName, fields: try row.fields.map(StoredJSON.fields) ?? [:],
                      approvedAt: row.approvedAt, approvedBy: row.approvedBy)
        }
        return try APIRoutes.encode(APIRoutes.List(data: views), status: .ok)
    }

    struct ApprovalInput: Content {
        var personioIds: [Int]?
        var country: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case country
            case personioIds = "personio_ids"
        }
    }

    struct ApprovalResult: Content {
        var approved: [Int]
        /// The run that provisioned them; nil when another run was under way (the next one does it).
        var run: RunReport?
        var message: String
    }

    func approve(_ request: Request) async throws -> Response {
        let connection = try await APIRoutes.connection(request)
        let input = try request.strictContent(ApprovalInput.self)
        return try APIRoutes.encode(try await approve(input, connection: connection, scope: try request.workspace, on: request.db), status: .ok)
    }

    /// Validates and records an approval, then runs the connection (API and dashboard).
    func approve(_ input: ApprovalInput, connection: ConnectionModel, scope: WorkspaceScope, on database: any Database) async throws -> ApprovalResult {
        let connectionID = try connection.requireID()
        let rules = try StoredJSON.decode(ConnectionRules.self, connection.rules)
        guard rules.policy.requiresApproval else {
            throw APIError(status: .conflict, code: "approval_not_required",
                           message: "The \(connection.preset) preset provisions people without approval; there is nothing to approve.")
        }
        let ids = try Self.validIDs(input.personioIds)
        var importFields: [String: String] = [:]
        if let country = input.country?.trimmingCharacters(in: .whitespaces).uppercased(), !country.isEmpty {
            guard country.count == 2, country.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
                throw APIError.invalid("country", "country is an ISO 3166-1 alpha-2 code such as DE or ES")
            }
            importFields["country"] = country
        } else if connection.preset == Preset.eorOnboarding.id {
            throw APIError.invalid("country", "country is required: the country of employment for this import, e.g. DE")
        }

        let rows = try await drafts(ids, connectionID: connectionID, on: database)
        let now = runner.now()
        let fieldsText = importFields.isEmpty ? nil : try StoredJSON.text(importFields)
        let detail = "\(ids.count) approved\(importFields["country"].map { " for \($0)" } ?? ""): \(ids.map(String.init).joined(separator: ", "))"
        try await database.transaction { database in
            for row in rows {
                row.approvedAt = now
                row.approvedBy = scope.actor
                row.rejectedAt = nil
                row.rejectedBy = nil
                if let fieldsText { row.importFields = fieldsText }
                try await row.save(on: database)
            }
            try await AuditEventModel(workspaceID: scope.workspaceID, actor: scope.actor, action: "people.approved",
                                      subject: "connection \(connectionID)",
                                      detail: detail,
                                      at: now).save(on: database)
        }

        let result: ApprovalResult
        do {
            let report = try await runner.runNow(connectionID: connectionID, full: true)
            result = ApprovalResult(approved: ids, run: report, message: "Approved and provisioned by run \(report.runID).")
        } catch SyncError.busy {
            result = ApprovalResult(approved: ids, run: nil,
                                    message: "Approved. A run of this connection is under way; the next run provisions them.")
        }
        return result
    }

    /// At most 1000 ids, none twice; each problem names its position.
    static func validIDs(_ ids: [Int]?) throws(APIError) -> [Int] {
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
    func drafts(_ ids: [Int], connectionID: UUID, on database: any Database) async throws -> [LinkModel] {
        let rows = try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$personioID ~~ ids).all()
        let byID = Dictionary(rows.map { ($0.personioID, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, id) in ids.enumerated() {
            guard let row = byID[id] else {
                throw APIError.invalid("personio_ids[\(index)]", "personio id \(id) is not among this connection's people")
            }
            guard row.state == .draft else {
                throw APIError.invalid("personio_ids[\(index)]", "personio id \(id) is \(row.state.rawValue), not a draft awaiting approval")
            }
        }
        return rows
    }

    func reject(_ request: Request) async throws -> Response {
        let connection = try await APIRoutes.connection(request)
        let input = try request.strictContent(ApprovalInput.self)
        let ids = try await reject(input, connection: connection, scope: try request.workspace, on: request.db)
        return try APIRoutes.encode(["rejected": ids], status: .ok)
    }

    /// Records that HR will not onboard these drafts (API and dashboard); nothing is sent anywhere.
    func reject(_ input: ApprovalInput, connection: ConnectionModel, scope: WorkspaceScope, on database: any Database) async throws -> [Int] {
        let connectionID = try connection.requireID()
        let rules = try StoredJSON.decode(ConnectionRules.self, connection.rules)
        guard rules.policy.requiresApproval else {
            throw APIError(status: .conflict, code: "approval_not_required",
                           message: "The \(connection.preset) preset provisions people without approval; there is nothing to reject.")
        }
        let ids = try Self.validIDs(input.personioIds)
        let rows = try await drafts(ids, connectionID: connectionID, on: database)
        let now = runner.now()
        try await database.transaction { database in
            for row in rows {
                row.rejectedAt = now
                row.rejectedBy = scope.actor
                try await row.save(on: database)
            }
            try await AuditEventModel(workspaceID: scope.workspaceID, actor: scope.actor, action: "people.rejected",
                                      subject: "connection \(connectionID)",
                                      detail: "\(ids.count) rejected: \(ids.map(String.init).joined(separator: ", "))", at: now).save(on: database)
        }
        return ids
    }
}
