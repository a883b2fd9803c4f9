import Fluent
import Foundation
import Vapor

/// `POST/GET /api/v1/handoffs`: decode, `HandoffService`, encode.
struct HandoffRoutes: RouteCollection {
    let handoffs: @Sendable (any Database) -> HandoffService

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.POST, .handoffs, use: handOff)
        api.on(.GET, .handoffs, use: list)
        api.on(.GET, .handoff(), use: get)
    }

    struct HandoffView: APIContent {
        var candidateID: String
        var status: String
        var personioID: Int?
        var sentBy: String
        var sentAt: Date?
        var error: String?
        var note: String?

        init(_ model: HandoffModel, note: String? = nil) {
            candidateID = model.candidateID
            status = model.status.rawValue
            personioID = model.personioID
            sentBy = model.sentBy
            sentAt = model.sentAt
            error = model.error
            self.note = note
        }
    }

    /// 201 when this call created the employee, 200 with the first result for a repeat or a link.
    func handOff(_ request: Request) async throws -> Response {
        let input = try request.strictContent(HandoffService.Request.self)
        let result = try await handoffs(request.db).handOff(input, workspaceID: try request.workspace.workspaceID)
        return try API.encode(HandoffView(result.handoff, note: result.note), status: result.outcome == .created ? .created : .ok)
    }

    func list(_ request: Request) async throws -> Response {
        let page = try ListPage(request)
        let query = handoffs(request.db).all(workspaceID: try request.workspace.workspaceID)
        return try API.encode(try await page.read(query) { HandoffView($0) }, status: .ok)
    }

    func get(_ request: Request) async throws -> Response {
        let candidate = request.parameters.get(.candidate) ?? ""
        let row = try await handoffs(request.db).find(candidateID: candidate, workspaceID: try request.workspace.workspaceID)
        return try API.encode(HandoffView(row), status: .ok)
    }
}

extension HandoffService.Request: Content {}
