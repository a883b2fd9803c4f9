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

    func writer(_ database: any Database) -> AbsenceWriter { AbsenceWriter(database: database, environment: environment) }

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(TokenAuthenticator())
        api.get("sources", ":source", "time-off-types", use: timeOffTypes)
        api.get("sources", ":source", "absence-kinds", use: kinds)
        api.put("sources", ":source", "absence-kinds", use: setKinds)
        api.post("absences", use: create)
        api.get("absences", use: list)
        api.get("absences", ":external", use: get)
        api.put("absences", ":external", use: change)
        api.delete("absences", ":external", use: cancel)
    }

    // MARK: Kinds

    struct TypeView: Content {
        var id: Int
        var name: String
        var category: String?
        var unit: String
    }

    var absenceKinds: @Sendable (any Database) -> AbsenceKindService {
        { [environment] in AbsenceKindService(environment: environment, database: $0) }
    }

    func timeOffTypes(_ request: Request) async throws -> Response {
        let source = try await source(request)
        let types = try await absenceKinds(request.db).personioTypes(source)
        return try API.encode(API.List(data: types.map { TypeView(id: $0.id, name: $0.name, category: $0.category, unit: $0.unit.rawValue) }),
                                    status: .ok)
    }

    struct KindView: Content {
        var kind: String
        var timeOffTypeId: Int
        var typeName: String
        var unit: String

        enum CodingKeys: String, CodingKey {
            case kind, unit
            case timeOffTypeId = "time_off_type_id", typeName = "type_name"
        }
    }

    func kinds(_ request: Request) async throws -> Response {
        let rows = try await absenceKinds(request.db).kinds(of: try await source(request))
        return try API.encode(API.List(data: rows.map { KindView(kind: $0.kind, timeOffTypeId: $0.timeOffTypeID, typeName: $0.typeName, unit: $0.unit) }),
                                    status: .ok)
    }

    struct KindsInput: Content {
        /// The app's kind → Personio time-off type id.
        var kinds: [String: Int]?
    }

    /// Replaces the source's mapping; every type id is checked against Personio's list.
    func setKinds(_ request: Request) async throws -> Response {
        let source = try await source(request)
        guard let kinds = try request.strictContent(KindsInput.self).kinds else {
            throw APIError.invalid("kinds", "kinds maps each absence kind of the app to a Personio time-off type id, e.g. {\"sickness\": 3}")
        }
        let scope = try request.workspace
        try await absenceKinds(request.db).setKinds(kinds, source: source, workspaceID: scope.workspaceID, actor: scope.actor)
        return try await self.kinds(request)
    }

    private func source(_ request: Request) async throws -> SourceModel {
        try await SourceService.find(request.parameters.get("source", as: UUID.self), workspaceID: try request.workspace.workspaceID, on: request.db)
    }

    // MARK: Absences

    struct AbsenceInput: Content {
        var sourceId: UUID?
        var externalId: String?
        var employeeId: Int?
        var email: String?
        var kind: String?
        var startDate: String?
        var endDate: String?
        var halfDayStart: Bool?
        var halfDayEnd: Bool?
        var startTime: String?
        var endTime: String?
        var comment: String?
        var sentBy: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case email, kind, comment
            case sourceId = "source_id", externalId = "external_id", employeeId = "employee_id", startDate = "start_date", endDate = "end_date"
            case halfDayStart = "half_day_start", halfDayEnd = "half_day_end", startTime = "start_time", endTime = "end_time", sentBy = "sent_by"
        }
    }

    struct AbsenceView: Content {
        var externalId: String
        var sourceId: UUID
        var employeeId: Int
        var kind: String
        var timeOffTypeId: Int
        var unit: String
        var startDate: String
        var endDate: String
        var halfDayStart: Bool
        var halfDayEnd: Bool
        var startTime: String?
        var endTime: String?
        var comment: String?
        var status: String
        var personioId: String?
        var attempts: Int
        var retryAt: Date?
        var errorCode: String?
        var error: String?
        var updatedAt: Date

        init(_ model: AbsenceModel) {
            externalId = model.externalID
            sourceId = model.sourceID
            employeeId = model.employeeID
            kind = model.kind
            timeOffTypeId = model.timeOffTypeID
            unit = model.unit
            startDate = model.startDate
            endDate = model.endDate
            halfDayStart = model.halfDayStart
            halfDayEnd = model.halfDayEnd
            startTime = model.startTime
            endTime = model.endTime
            comment = model.comment
            status = model.status.rawValue
            personioId = model.personioID
            attempts = model.attempts
            retryAt = model.retryAt
            errorCode = model.errorCode
            error = model.error
            updatedAt = model.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case kind, unit, comment, status, attempts, error
            case externalId = "external_id", sourceId = "source_id", employeeId = "employee_id", timeOffTypeId = "time_off_type_id"
            case startDate = "start_date", endDate = "end_date", halfDayStart = "half_day_start", halfDayEnd = "half_day_end"
            case startTime = "start_time", endTime = "end_time", personioId = "personio_id", retryAt = "retry_at", errorCode = "error_code"
            case updatedAt = "updated_at"
        }
    }

    /// The request, checked: every problem names its field. The person is resolved in Personio later.
    struct Checked {
        var source: SourceModel
        var externalID: String
        var kind: AbsenceKindModel
        var start: LocalDate
        var end: LocalDate
        var halfDayStart: Bool
        var halfDayEnd: Bool
        var startTime: String?
        var endTime: String?
        var comment: String?
        var sentBy: String

        /// Same absence as stored (a repeated POST)?
        func matches(_ model: AbsenceModel, employeeID: Int?) -> Bool {
            model.kind == kind.kind && model.startDate == start.description && model.endDate == end.description
                && model.halfDayStart == halfDayStart && model.halfDayEnd == halfDayEnd && model.startTime == startTime
                && model.endTime == endTime && model.comment == comment && (employeeID == nil || model.employeeID == employeeID)
        }
    }

    func check(_ input: AbsenceInput, externalID: String?, scope: WorkspaceScope, on database: any Database) async throws -> Checked {
        guard let external = externalID?.trimmingCharacters(in: .whitespaces), !external.isEmpty else {
            throw APIError.invalid("external_id", "external_id is required: the absence's id in the sending app")
        }
        guard external.count <= 200 else { throw APIError.invalid("external_id", "external_id is at most 200 characters") }
        let source: SourceModel
        if let id = input.sourceId {
            guard let found = try await SourceModel.query(on: database).filter(\.$id == id).filter(\.$workspace.$id == scope.workspaceID).first() else {
                throw APIError.invalid("source_id", "no source with that id in this workspace")
            }
            source = found
        } else {
            let sources = try await SourceModel.query(on: database).filter(\.$workspace.$id == scope.workspaceID).limit(2).all()
            guard sources.count == 1, let only = sources.first else {
                throw APIError.invalid("source_id", "source_id is required: the Personio source to write the absence to")
            }
            source = only
        }
        if input.employeeId == nil, input.email == nil {
            throw APIError.invalid("employee_id", "name the person: employee_id (Personio's id) or email")
        }
        if let email = input.email, !EmailAddress.isValid(email) { throw APIError.invalid("email", "\(email) is not an e-mail address") }
        guard let kindName = input.kind?.trimmingCharacters(in: .whitespaces), !kindName.isEmpty else {
            throw APIError.invalid("kind", "kind is required, e.g. sickness or vacation")
        }
        guard let kind = try await AbsenceKindModel.query(on: database).filter(\.$sourceID == source.requireID()).filter(\.$kind == kindName).first() else {
            throw APIError.invalid("kind", "the kind \(kindName) is not mapped to a Personio absence type; map it with PUT /api/v1/sources/\(try source.requireID())/absence-kinds")
        }
        guard let startText = input.startDate, let start = LocalDate(startText), startText.count == 10 else {
            throw APIError.invalid("start_date", "start_date is required, as YYYY-MM-DD")
        }
        guard let endText = input.endDate, let end = LocalDate(endText), endText.count == 10 else {
            throw APIError.invalid("end_date", "end_date is required, as YYYY-MM-DD (the last day of the absence)")
        }
        guard end >= start else { throw APIError.invalid("end_date", "end_date \(end) is before start_date \(start)") }
        guard start.days(until: end) <= 366 else { throw APIError.invalid("end_date", "an absence spans at most a year") }
        for (name, value) in [("start_time", input.startTime), ("end_time", input.endTime)] {
            guard let value else { continue }
            let parts = value.split(separator: ":")
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0..<24).contains(hour), (0..<60).contains(minute) else { throw APIError.invalid(name, "\(name) is a time as HH:mm") }
            guard kind.unit == "hour" else {
                throw APIError.invalid(name, "\(name) is only for hour-based absence types; \(kind.typeName) is counted in days")
            }
        }
        if kind.unit == "hour", start == end, input.startTime == nil || input.endTime == nil {
            throw APIError.invalid(input.startTime == nil ? "start_time" : "end_time",
                                   "\(kind.typeName) is counted in hours: an absence within one day needs start_time and end_time")
        }
        if let from = input.startTime, let to = input.endTime, start == end, to <= from {
            throw APIError.invalid("end_time", "end_time \(to) is not after start_time \(from)")
        }
        if let comment = input.comment, comment.count > 500 { throw APIError.invalid("comment", "comment is at most 500 characters") }
        if let sentBy = input.sentBy, sentBy.count > 200 { throw APIError.invalid("sent_by", "sent_by is at most 200 characters") }
        return Checked(source: source, externalID: external, kind: kind, start: start, end: end, halfDayStart: input.halfDayStart ?? false,
                       halfDayEnd: input.halfDayEnd ?? false, startTime: input.startTime, endTime: input.endTime,
                       comment: input.comment?.nilIfEmpty, sentBy: input.sentBy?.nilIfEmpty ?? scope.actor)
    }

    /// The Personio id of the person named by id or e-mail.
    func employee(_ input: AbsenceInput, source: SourceModel) async throws -> Int {
        if let id = input.employeeId {
            guard id > 0 else { throw APIError.invalid("employee_id", "employee_id is a Personio employee id") }
            return id
        }
        let email = input.email ?? ""
        do {
            guard let id = try await environment.personioClient(for: source).employeeID(email: email.lowercased()) else {
                throw APIError.invalid("email", "no Personio employee has the e-mail \(email)")
            }
            return id
        } catch let error as PersonioError {
            throw APIError.personio(error)
        }
    }

    func create(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let input = try request.strictContent(AbsenceInput.self)
        let checked = try await check(input, externalID: input.externalId, scope: scope, on: request.db)
        if let existing = try await existing(checked.externalID, scope: scope, on: request.db) {
            return try repeatAnswer(existing, checked: checked, employeeID: input.employeeId)
        }
        let employeeID = try await employee(input, source: checked.source)
        let model = AbsenceModel()
        model.$workspace.id = scope.workspaceID
        fill(model, checked, employeeID: employeeID)
        model.attempts = 0
        model.createdAt = environment.now()
        model.claimedUntil = environment.now().addingTimeInterval(AbsenceWriter.claimFor)
        do {
            try await model.create(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // a concurrent request with the same external_id got there first
            guard let existing = try await existing(checked.externalID, scope: scope, on: request.db) else {
                throw APIError(status: .conflict, code: "busy", message: "Another request is sending this absence; send it again in a moment.")
            }
            return try repeatAnswer(existing, checked: checked, employeeID: employeeID)
        }
        try await writer(request.db).write(model, on: request.db)
        try await audit(scope, request.db, .absenceCreated, model)
        return try answer(model, created: true)
    }

    func change(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let input = try request.strictContent(AbsenceInput.self)
        let external = request.parameters.get("external") ?? ""
        if let body = input.externalId, body != external {
            throw APIError.invalid("external_id", "external_id in the body (\(body)) differs from the path (\(external))")
        }
        let checked = try await check(input, externalID: external, scope: scope, on: request.db)
        guard let model = try await existing(external, scope: scope, on: request.db) else { throw APIError.notFound("absence") }
        guard model.status != .cancelled else {
            throw APIError(status: .conflict, code: "cancelled", message: "This absence was cancelled; send it again under a new external_id.")
        }
        guard checked.source.id == model.sourceID else {
            throw APIError.invalid("source_id", "an absence cannot move to another source; cancel it and send a new one")
        }
        let employeeID = try await employee(input, source: checked.source)
        if checked.matches(model, employeeID: employeeID), model.status != .failed { return try answer(model, created: false) }
        guard try await writer(request.db).claim(model, on: request.db) else {
            throw APIError(status: .conflict, code: "busy", message: "This absence is being written right now; send the change again in a moment.")
        }
        let previous = model.personioID
        if model.status == .written {
            do {
                try await writer(request.db).remove(model, on: request.db)
            } catch {
                model.claimedUntil = nil
                try await model.save(on: request.db)
                throw APIError.personio(error, "The old absence could not be removed from Personio, so nothing was changed.")
            }
        }
        fill(model, checked, employeeID: employeeID)
        model.personioID = nil
        model.attempts = 0
        try await model.save(on: request.db)
        try await writer(request.db).write(model, on: request.db)
        try await audit(scope, request.db, .absenceChanged, model, detail: previous.map { "replaced Personio absence \($0)" })
        return try answer(model, created: false)
    }

    func cancel(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        guard let model = try await existing(request.parameters.get("external") ?? "", scope: scope, on: request.db) else {
            throw APIError.notFound("absence")
        }
        guard model.status != .cancelled else { return try answer(model, created: false) }
        guard try await writer(request.db).claim(model, on: request.db) else {
            throw APIError(status: .conflict, code: "busy", message: "This absence is being written right now; cancel it again in a moment.")
        }
        if model.status == .written || model.status == .pending {
            do {
                if model.status == .pending, model.attempts > 0 {
                    // a lost answer may have written it: look before declaring it cancelled
                    model.personioID = try await writer(request.db).written(model, on: request.db)
                }
                try await writer(request.db).remove(model, on: request.db)
            } catch {
                model.claimedUntil = nil
                try await model.save(on: request.db)
                throw APIError.personio(error, "The absence could not be removed from Personio; it stays as it was.")
            }
        }
        model.status = .cancelled
        model.retryAt = nil
        model.claimedUntil = nil
        model.updatedAt = environment.now()
        try await model.save(on: request.db)
        try await audit(scope, request.db, .absenceCancelled, model)
        return try answer(model, created: false)
    }

    func list(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let page = try ListPage(request)
        var query = AbsenceModel.query(on: request.db).filter(\.$workspace.$id == scope.workspaceID)
        if let text = request.query[String.self, at: "status"] {
            guard let status = AbsenceModel.Status(rawValue: text) else {
                throw APIError.invalid("status", "status is pending, written, failed or cancelled")
            }
            query = query.filter(\.$status == status)
        }
        return try API.encode(try await page.read(query.sort(\.$updatedAt, .descending).sort(\.$id), AbsenceView.init), status: .ok)
    }

    func get(_ request: Request) async throws -> Response {
        guard let model = try await existing(request.parameters.get("external") ?? "", scope: try request.workspace, on: request.db) else {
            throw APIError.notFound("absence")
        }
        return try API.encode(AbsenceView(model), status: .ok)
    }

    // MARK: Helpers

    private func existing(_ external: String, scope: WorkspaceScope, on database: any Database) async throws -> AbsenceModel? {
        try await AbsenceModel.query(on: database).filter(\.$workspace.$id == scope.workspaceID).filter(\.$externalID == external).first()
    }

    /// A repeated POST: the same absence answers with its record; a different one must be a PUT.
    private func repeatAnswer(_ existing: AbsenceModel, checked: Checked, employeeID: Int?) throws -> Response {
        guard checked.matches(existing, employeeID: employeeID) else {
            throw APIError(status: .conflict, code: "external_id_taken",
                           message: "An absence with external_id \(existing.externalID) exists with other values; change it with PUT /api/v1/absences/\(existing.externalID).",
                           field: "external_id")
        }
        return try API.encode(AbsenceView(existing), status: .ok)
    }

    private func fill(_ model: AbsenceModel, _ checked: Checked, employeeID: Int) {
        model.sourceID = checked.source.id ?? model.sourceID
        model.externalID = checked.externalID
        model.employeeID = employeeID
        model.kind = checked.kind.kind
        model.timeOffTypeID = checked.kind.timeOffTypeID
        model.unit = checked.kind.unit
        model.startDate = checked.start.description
        model.endDate = checked.end.description
        model.halfDayStart = checked.halfDayStart
        model.halfDayEnd = checked.halfDayEnd
        model.startTime = checked.startTime
        model.endTime = checked.endTime
        model.comment = checked.comment
        model.status = .pending
        model.retryAt = nil
        model.errorCode = nil
        model.error = nil
        model.sentBy = checked.sentBy
        model.updatedAt = environment.now()
    }

    /// 201/200 when written (or cancelled), 202 while it waits for a retry, 422 with Personio's reason when refused.
    private func answer(_ model: AbsenceModel, created: Bool) throws -> Response {
        switch model.status {
        case .written, .cancelled:
            return try API.encode(AbsenceView(model), status: created ? .created : .ok)
        case .pending:
            return try API.encode(AbsenceView(model), status: .accepted)
        case .failed:
            throw APIError(status: model.errorCode == "personio_forbidden" ? .forbidden : .unprocessableEntity, code: model.errorCode ?? "personio_refused",
                           message: "The absence is recorded as failed. \(model.error ?? "")")
        }
    }

    private func audit(_ scope: WorkspaceScope, _ database: any Database, _ action: AuditAction, _ model: AbsenceModel, detail: String? = nil) async throws {
        try await AuditLog(database: database).record(action, workspaceID: scope.workspaceID, actor: scope.actor, subject: "absence \(model.externalID)",
                                  detail: detail ?? "\(model.kind) \(model.startDate)–\(model.endDate) for employee \(model.employeeID): \(model.status.rawValue)",
                                  at: environment.now())
    }
}

extension APIError {
    /// Personio failed on the hub's behalf: 503 when trying again later may work, 502 otherwise,
    /// with Personio's explanation and remedy after `context`.
    static func personio(_ error: any Error, _ context: String? = nil) -> APIError {
        let transient = (error as? PersonioError)?.isTransient ?? false
        return APIError(status: transient ? .serviceUnavailable : .badGateway, code: "personio_failed",
                        message: [context, SyncRunner.explain(error)].compactMap { $0 }.joined(separator: " "))
    }
}
