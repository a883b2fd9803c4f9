import Fluent
import Foundation
import PersonioAPI
import SyncEngine

/// `absence-push`: a time tracker sends sickness, vacation, parental leave … into Personio. Every
/// absence is idempotent by the app's `external_id`, changed (delete + create in Personio) and
/// cancelled; each problem names its field (API; the dashboard lists them).
struct AbsenceService: Sendable {
    let database: any Database
    let environment: HubEnvironment

    var writer: AbsenceWriter { AbsenceWriter(database: database, environment: environment) }

    /// An absence as the time tracker sends it (POST and PUT bodies).
    struct Input: Codable, Sendable {
        var sourceID: UUID?
        var externalID: String?
        var employeeID: Int?
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

        enum CodingKeys: CodingKey, CaseIterable {
            case email, kind, comment, sourceID, externalID, employeeID, startDate, endDate, halfDayStart, halfDayEnd, startTime, endTime, sentBy
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
            model.kind == kind.kind && model.startDate == start && model.endDate == end
                && model.halfDayStart == halfDayStart && model.halfDayEnd == halfDayEnd && model.startTime == startTime
                && model.endTime == endTime && model.comment == comment && (employeeID == nil || model.employeeID == employeeID)
        }
    }

    func check(_ input: Input, externalID: String?, workspaceID: UUID, actor: String) async throws -> Checked {
        guard let external = externalID?.trimmingCharacters(in: .whitespaces), !external.isEmpty else {
            throw ServiceError.invalid("external_id", "external_id is required: the absence's id in the sending app")
        }
        guard external.count <= 200 else { throw ServiceError.invalid("external_id", "external_id is at most 200 characters") }
        let source: SourceModel
        if let id = input.sourceID {
            guard let found = try await SourceModel.query(on: database).filter(\.$id == id).filter(\.$workspace.$id == workspaceID).first() else {
                throw ServiceError.invalid("source_id", "no source with that id in this workspace")
            }
            source = found
        } else {
            let sources = try await SourceModel.query(on: database).filter(\.$workspace.$id == workspaceID).limit(2).all()
            guard sources.count == 1, let only = sources.first else {
                throw ServiceError.invalid("source_id", "source_id is required: the Personio source to write the absence to")
            }
            source = only
        }
        if input.employeeID == nil, input.email == nil {
            throw ServiceError.invalid("employee_id", "name the person: employee_id (Personio's id) or email")
        }
        if let email = input.email, !EmailAddress.isValid(email) { throw ServiceError.invalid("email", "\(email) is not an e-mail address") }
        guard let kindName = input.kind?.trimmingCharacters(in: .whitespaces), !kindName.isEmpty else {
            throw ServiceError.invalid("kind", "kind is required, e.g. sickness or vacation")
        }
        guard let kind = try await AbsenceKindModel.query(on: database).filter(\.$sourceID == source.requireID()).filter(\.$kind == kindName)
            .first() else {
            throw ServiceError.invalid("kind", "the kind \(kindName) is not mapped to a Personio absence type; map it with PUT "
                                               + "/api/v1/sources/\(try source.requireID())/absence-kinds")
        }
        let start = try InputRules.date(input.startDate, field: "start_date", message: "start_date is required, as YYYY-MM-DD")
        let end = try InputRules.date(input.endDate, field: "end_date",
                                      message: "end_date is required, as YYYY-MM-DD (the last day of the absence)")
        guard end >= start else { throw ServiceError.invalid("end_date", "end_date \(end) is before start_date \(start)") }
        guard start.days(until: end) <= 366 else { throw ServiceError.invalid("end_date", "an absence spans at most a year") }
        for (name, value) in [("start_time", input.startTime), ("end_time", input.endTime)] {
            guard let value else { continue }
            let parts = value.split(separator: ":")
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0..<24).contains(hour), (0..<60).contains(minute) else { throw ServiceError.invalid(name, "\(name) is a time as HH:mm") }
            guard kind.unit == "hour" else {
                throw ServiceError.invalid(name, "\(name) is only for hour-based absence types; \(kind.typeName) is counted in days")
            }
        }
        if kind.unit == "hour", start == end, input.startTime == nil || input.endTime == nil {
            throw ServiceError.invalid(input.startTime == nil ? "start_time" : "end_time",
                                   "\(kind.typeName) is counted in hours: an absence within one day needs start_time and end_time")
        }
        if let from = input.startTime, let to = input.endTime, start == end, to <= from {
            throw ServiceError.invalid("end_time", "end_time \(to) is not after start_time \(from)")
        }
        if let comment = input.comment, comment.count > 500 { throw ServiceError.invalid("comment", "comment is at most 500 characters") }
        if let sentBy = input.sentBy, sentBy.count > 200 { throw ServiceError.invalid("sent_by", "sent_by is at most 200 characters") }
        return Checked(source: source, externalID: external, kind: kind, start: start, end: end, halfDayStart: input.halfDayStart ?? false,
                       halfDayEnd: input.halfDayEnd ?? false, startTime: input.startTime, endTime: input.endTime,
                       comment: input.comment?.nilIfEmpty, sentBy: input.sentBy?.nilIfEmpty ?? actor)
    }

    /// The Personio id of the person named by id or e-mail.
    func employee(_ input: Input, source: SourceModel) async throws -> Int {
        if let id = input.employeeID {
            guard id > 0 else { throw ServiceError.invalid("employee_id", "employee_id is a Personio employee id") }
            return id
        }
        let email = input.email ?? ""
        do {
            guard let id = try await environment.personioClient(for: source).employeeID(email: email.lowercased()) else {
                throw ServiceError.invalid("email", "no Personio employee has the e-mail \(email)")
            }
            return id
        } catch let error as PersonioError {
            throw ServiceError.personio(error)
        }
    }

    /// What a create or change did: the absence as stored, and whether this call made it.
    struct Result: Sendable {
        var absence: AbsenceModel
        var created: Bool
    }

    /// Writes a new absence (a repeat of the same one answers with its record).
    func create(_ input: Input, workspaceID: UUID, actor: String) async throws -> Result {
        let checked = try await check(input, externalID: input.externalID, workspaceID: workspaceID, actor: actor)
        if let existing = try await find(checked.externalID, workspaceID: workspaceID) {
            return try repeated(existing, checked: checked, employeeID: input.employeeID)
        }
        let employeeID = try await employee(input, source: checked.source)
        let model = AbsenceModel()
        model.$workspace.id = workspaceID
        fill(model, checked, employeeID: employeeID)
        model.attempts = 0
        model.createdAt = environment.now()
        model.claimedUntil = environment.now().addingTimeInterval(AbsenceWriter.claimFor)
        do {
            try await model.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // a concurrent request with the same external_id got there first
            guard let existing = try await find(checked.externalID, workspaceID: workspaceID) else {
                throw ServiceError.conflict("busy", "Another request is sending this absence; send it again in a moment.")
            }
            return try repeated(existing, checked: checked, employeeID: employeeID)
        }
        _ = try await writer.write(model, on: database)
        try await audit(.absenceCreated, model, workspaceID: workspaceID, actor: actor)
        return Result(absence: model, created: true)
    }

    /// Changes an absence: the one in Personio is removed and the new one written.
    func change(_ input: Input, externalID: String, workspaceID: UUID, actor: String) async throws -> AbsenceModel {
        if let body = input.externalID, body != externalID {
            throw ServiceError.invalid("external_id", "external_id in the body (\(body)) differs from the path (\(externalID))")
        }
        let checked = try await check(input, externalID: externalID, workspaceID: workspaceID, actor: actor)
        guard let model = try await find(externalID, workspaceID: workspaceID) else { throw ServiceError.notFound("absence") }
        guard model.status != .cancelled else {
            throw ServiceError.conflict("cancelled", "This absence was cancelled; send it again under a new external_id.")
        }
        guard checked.source.id == model.sourceID else {
            throw ServiceError.invalid("source_id", "an absence cannot move to another source; cancel it and send a new one")
        }
        let employeeID = try await employee(input, source: checked.source)
        if checked.matches(model, employeeID: employeeID), model.status != .failed { return model }
        guard try await writer.claim(model, on: database) else {
            throw ServiceError.conflict("busy", "This absence is being written right now; send the change again in a moment.")
        }
        let previous = model.personioID
        if model.status == .written {
            do {
                try await writer.remove(model, on: database)
            } catch {
                model.claimedUntil = nil
                try await model.save(on: database)
                throw ServiceError.personio(error, "The old absence could not be removed from Personio, so nothing was changed.")
            }
        }
        fill(model, checked, employeeID: employeeID)
        model.personioID = nil
        model.attempts = 0
        try await model.save(on: database)
        _ = try await writer.write(model, on: database)
        try await audit(.absenceChanged, model, workspaceID: workspaceID, actor: actor, detail: previous.map { "replaced Personio absence \($0)" })
        return model
    }

    /// Cancels an absence (removed from Personio when it was written there).
    func cancel(externalID: String, workspaceID: UUID, actor: String) async throws -> AbsenceModel {
        guard let model = try await find(externalID, workspaceID: workspaceID) else { throw ServiceError.notFound("absence") }
        guard model.status != .cancelled else { return model }
        guard try await writer.claim(model, on: database) else {
            throw ServiceError.conflict("busy", "This absence is being written right now; cancel it again in a moment.")
        }
        if model.status == .written || model.status == .pending {
            do {
                if model.status == .pending, model.attempts > 0 {
                    // a lost answer may have written it: look before declaring it cancelled
                    model.personioID = try await writer.written(model, on: database)
                }
                try await writer.remove(model, on: database)
            } catch {
                model.claimedUntil = nil
                try await model.save(on: database)
                throw ServiceError.personio(error, "The absence could not be removed from Personio; it stays as it was.")
            }
        }
        model.status = .cancelled
        model.retryAt = nil
        model.claimedUntil = nil
        model.updatedAt = environment.now()
        try await model.save(on: database)
        try await audit(.absenceCancelled, model, workspaceID: workspaceID, actor: actor)
        return model
    }

    /// The workspace's absences (of one status when given), most recently changed first, to page through.
    func all(workspaceID: UUID, status: AbsenceModel.Status?) -> QueryBuilder<AbsenceModel> {
        var query = AbsenceModel.query(on: database).filter(\.$workspace.$id == workspaceID)
        if let status { query = query.filter(\.$status == status) }
        return query.sort(\.$updatedAt, .descending).sort(\.$id)
    }

    /// The absence the app knows by `externalID`.
    func find(_ externalID: String, workspaceID: UUID) async throws -> AbsenceModel? {
        try await AbsenceModel.query(on: database).filter(\.$workspace.$id == workspaceID).filter(\.$externalID == externalID).first()
    }

    /// A repeated POST: the same absence answers with its record; a different one must be a PUT.
    private func repeated(_ existing: AbsenceModel, checked: Checked, employeeID: Int?) throws -> Result {
        guard checked.matches(existing, employeeID: employeeID) else {
            throw ServiceError.conflict("external_id_taken", "An absence with external_id \(existing.externalID) exists with other values; "
                                        + "change it with PUT /api/v1/absences/\(existing.externalID).", field: "external_id")
        }
        return Result(absence: existing, created: false)
    }

    private func fill(_ model: AbsenceModel, _ checked: Checked, employeeID: Int) {
        model.sourceID = checked.source.id ?? model.sourceID
        model.externalID = checked.externalID
        model.employeeID = employeeID
        model.kind = checked.kind.kind
        model.timeOffTypeID = checked.kind.timeOffTypeID
        model.unit = checked.kind.unit
        model.startDate = checked.start
        model.endDate = checked.end
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

    private func audit(_ action: AuditAction, _ model: AbsenceModel, workspaceID: UUID, actor: String, detail: String? = nil) async throws {
        try await AuditLog(database: database).record(
            action, workspaceID: workspaceID, actor: actor, subject: "absence \(model.externalID)",
            detail: detail ?? "\(model.kind) \(model.startDate)–\(model.endDate) for employee \(model.employeeID): \(model.status.rawValue)",
            at: environment.now())
    }
}
