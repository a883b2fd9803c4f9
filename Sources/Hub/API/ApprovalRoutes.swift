import Fluent
import Foundation
import SyncEngine
import Vapor

/// `GET …/drafts`, `POST …/approvals`, `POST …/rejections`: decode, `ApprovalService`, encode.
struct ApprovalRoutes: RouteCollection {
    let approvals: @Sendable (any Database) -> ApprovalService

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.GET, .connectionDrafts(), use: drafts)
        api.on(.POST, .connectionApprovals(), use: approve)
        api.on(.POST, .connectionRejections(), use: reject)
    }

    struct DraftView: APIContent {
        var personioID: Int
        var displayName: String?
        var fields: [String: String]
        var approvedAt: Date?
        var approvedBy: String?
    }

    func drafts(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let views = try await approvals(request.db).drafts(of: connection).map { row in
            DraftView(personioID: row.personioID, displayName: row.displayName, fields: try row.fields.map(StoredJSON.fields) ?? [:],
                      approvedAt: row.approvedAt, approvedBy: row.approvedBy)
        }
        return try API.encode(API.List(data: views), status: .ok)
    }

    struct ApprovalResult: APIContent {
        var approved: [Int]
        /// The run that provisioned them; nil when another run was under way (the next one does it).
        var run: RunReport?
        var message: String
    }

    func approve(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let input = try request.strictContent(ApprovalService.Decision.self)
        let scope = try request.workspace
        let done = try await approvals(request.db).approve(input, connection: connection, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.encode(ApprovalResult(approved: done.approved, run: done.run, message: done.message), status: .ok)
    }

    func reject(_ request: Request) async throws -> Response {
        let connection = try await API.connection(request)
        let input = try request.strictContent(ApprovalService.Decision.self)
        let scope = try request.workspace
        let ids = try await approvals(request.db).reject(input, connection: connection, workspaceID: scope.workspaceID, actor: scope.actor)
        return try API.encode(["rejected": ids], status: .ok)
    }
}

extension ApprovalService.Decision: Content {}
