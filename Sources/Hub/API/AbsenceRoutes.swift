import Fluent
import Foundation
import PersonioAPI
import SyncEngine
import Vapor

/// `absence-push`: a time tracker sends sickness, vacation, parental leave … into Personio. Kinds are
/// the app's own words, mapped per source to Personio's time-off types; every absence is idempotent
/// by the app's `external_id`, changed with PUT (delete + create in Personio) and cancelled with DELETE.
struct AbsenceRoutes: RouteCollection {
    let environment: HubEnvironment

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.workspaceAPI
        api.on(.GET, .sourceTimeOffTypes(), use: timeOffTypes)
        api.on(.GET, .sourceAbsenceKinds(), use: kinds)
        api.on(.PUT, .sourceAbsenceKinds(), use: setKinds)
        api.on(.POST, .absences, use: create)
        api.on(.GET, .absences, use: list)
        api.on(.GET, .absence(), use: get)
        api.on(.PUT, .absence(), use: change)
        api.on(.DELETE, .absence(), use: cancel)
    }

    // MARK: Kinds

    struct TypeView: APIContent {
        var id: Int
        var name: String
        var category: String?
        var unit: String
    }

    var absenceKinds: @Sendable (any Database) -> AbsenceKindService {
        { [environment] in AbsenceKindService(environment: environment, database: $0) }
    }

    func timeOffTypes(_ request: Request) async throws -> Response {
        let source = try await API.source(request)
        let types = try await absenceKinds(request.db).personioTypes(source)
        return try API.encode(API.List(data: types.map { TypeView(id: $0.id, name: $0.name, category: $0.category, unit: $0.unit.rawValue) }),
                                    status: .ok)
    }

    struct KindView: APIContent {
        var kind: String
        var timeOffTypeID: Int
        var typeName: String
        var unit: String
    }

    func kinds(_ request: Request) async throws -> Response {
        let rows = try await absenceKinds(request.db).kinds(of: try await API.source(request))
        return try API.encode(API.List(data: rows.map { KindView(kind: $0.kind, timeOffTypeID: $0.timeOffTypeID, typeName: $0.typeName,
                                                                 unit: $0.unit) }),
                                    status: .ok)
    }

    struct KindsInput: APIContent {
        /// The app's kind → Personio time-off type id.
        var kinds: [String: Int]?
    }

    /// Replaces the source's mapping; every type id is checked against Personio's list.
    func setKinds(_ request: Request) async throws -> Response {
        let source = try await API.source(request)
        guard let kinds = try request.strictContent(KindsInput.self).kinds else {
            throw APIError.invalid("kinds", "kinds maps each absence kind of the app to a Personio time-off type id, e.g. {\"sickness\": 3}")
        }
        let scope = try request.workspace
        try await absenceKinds(request.db).setKinds(kinds, source: source, workspaceID: scope.workspaceID, actor: scope.actor)
        return try await self.kinds(request)
    }

    // MARK: Absences

    struct AbsenceView: APIContent {
        var externalID: String
        var sourceID: UUID
        var employeeID: Int
        var kind: String
        var timeOffTypeID: Int
        var unit: String
        var startDate: LocalDate
        var endDate: LocalDate
        var halfDayStart: Bool
        var halfDayEnd: Bool
        var startTime: String?
        var endTime: String?
        var comment: String?
        var status: String
        var personioID: String?
        var attempts: Int
        var retryAt: Date?
        var errorCode: String?
        var error: String?
        var updatedAt: Date

        init(_ model: AbsenceModel) {
            externalID = model.externalID
            sourceID = model.sourceID
            employeeID = model.employeeID
            kind = model.kind
            timeOffTypeID = model.timeOffTypeID
            unit = model.unit
            startDate = model.startDate
            endDate = model.endDate
            halfDayStart = model.halfDayStart
            halfDayEnd = model.halfDayEnd
            startTime = model.startTime
            endTime = model.endTime
            comment = model.comment
            status = model.status.rawValue
            personioID = model.personioID
            attempts = model.attempts
            retryAt = model.retryAt
            errorCode = model.errorCode
            error = model.error
            updatedAt = model.updatedAt
        }
    }

    var absences: @Sendable (any Database) -> AbsenceService {
        { [environment] in AbsenceService(database: $0, environment: environment) }
    }

    func create(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let input = try request.strictContent(AbsenceService.Input.self)
        let result = try await absences(request.db).create(input, workspaceID: scope.workspaceID, actor: scope.actor)
        return try answer(result.absence, created: result.created)
    }

    func change(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let input = try request.strictContent(AbsenceService.Input.self)
        let model = try await absences(request.db).change(input, externalID: request.parameters.get(.absence) ?? "", workspaceID: scope.workspaceID,
                                                          actor: scope.actor)
        return try answer(model, created: false)
    }

    func cancel(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let model = try await absences(request.db).cancel(externalID: request.parameters.get(.absence) ?? "", workspaceID: scope.workspaceID,
                                                          actor: scope.actor)
        return try answer(model, created: false)
    }

    func list(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let page = try ListPage(request)
        var status: AbsenceModel.Status?
        if let text = request.query[String.self, at: "status"] {
            guard let known = AbsenceModel.Status(rawValue: text) else {
                throw APIError.invalid("status", "status is pending, written, failed or cancelled")
            }
            status = known
        }
        return try API.encode(try await page.read(absences(request.db).all(workspaceID: scope.workspaceID, status: status), AbsenceView.init),
                              status: .ok)
    }

    func get(_ request: Request) async throws -> Response {
        guard let model = try await absences(request.db).find(request.parameters.get(.absence) ?? "",
                                                              workspaceID: try request.workspace.workspaceID) else {
            throw APIError.notFound("absence")
        }
        return try API.encode(AbsenceView(model), status: .ok)
    }

    /// 201/200 when written (or cancelled), 202 while it waits for a retry, 422 with Personio's reason when refused.
    private func answer(_ model: AbsenceModel, created: Bool) throws -> Response {
        switch model.status {
        case .written, .cancelled:
            return try API.encode(AbsenceView(model), status: created ? .created : .ok)
        case .pending:
            return try API.encode(AbsenceView(model), status: .accepted)
        case .failed:
            throw APIError(status: model.errorCode == "personio_forbidden" ? .forbidden : .unprocessableEntity,
                           code: model.errorCode ?? "personio_refused",
                           message: "The absence is recorded as failed. \(model.error ?? "")")
        }
    }

}

extension AbsenceService.Input: Content {}
