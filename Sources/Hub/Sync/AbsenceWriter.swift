import Fluent
import FluentSQL
import Foundation
import Logging
import PersonioAPI
import SyncEngine

/// Writes pushed absences into Personio: day-unit types to `/company/time-offs`, hour-unit ones to
/// `/company/absence-periods`. One writer holds an absence at a time (a claim in the database); a
/// create whose answer was lost (timeout, 5xx) is never repeated blindly: Personio is searched for
/// the same absence first. 429/5xx wait 1 min, 5 min, 30 min, 2 h, 6 h, then the absence fails.
public struct AbsenceWriter: Sendable {
    let database: any Database
    let environment: HubEnvironment
    static let backoff: [TimeInterval] = [60, 300, 1_800, 7_200, 21_600]
    static let claimFor: TimeInterval = 120

    init(database: any Database, environment: HubEnvironment) {
        self.database = database
        self.environment = environment
    }

    public init(runner: SyncRunner) {
        self.init(database: runner.database, environment: runner.environment)
    }

    var now: Date { environment.now() }

    /// Takes the absence for this writer, unless another holds it.
    func claim(_ absence: AbsenceModel, on database: any Database) async throws -> Bool {
        let id = try absence.requireID()
        let now = self.now
        let until = now.addingTimeInterval(Self.claimFor)
        if let sql = database as? any SQLDatabase {
            let rows = try await sql.raw("""
                UPDATE absences SET claimed_until = \(bind: until) WHERE id = \(bind: id) \
                AND (claimed_until IS NULL OR claimed_until < \(bind: now)) RETURNING id
                """).all()
            guard !rows.isEmpty else { return false }
        }
        absence.claimedUntil = until
        return true
    }

    /// Writes a claimed, pending absence and records the outcome; returns the Personio error when
    /// there was one (the absence says whether it waits for a retry or failed).
    @discardableResult
    func write(_ absence: AbsenceModel, on database: any Database) async throws -> PersonioError? {
        defer { absence.claimedUntil = nil }
        let client: PersonioClient
        do {
            guard let source = try await SourceModel.find(absence.sourceID, on: database) else {
                try await finish(absence, .failed, code: "source_deleted", error: "The Personio source was deleted.", on: database)
                return nil
            }
            client = try await environment.personioClient(for: source)
        } catch let error as PersonioError {
            try await record(error, for: absence, on: database)
            return error
        } catch {
            try await finish(absence, .failed, code: "source_unreadable",
                             error: "\(ErrorText.explain(error)) Save the source's credentials again.", on: database)
            return nil
        }
        do {
            if absence.attempts > 0, let found = try await find(absence, with: client) {
                absence.personioID = found
                try await finish(absence, .written, code: nil, error: nil, on: database)
                return nil
            }
            absence.attempts += 1
            absence.updatedAt = now
            try await absence.save(on: database)
            absence.personioID = try await create(absence, with: client)
            try await finish(absence, .written, code: nil, error: nil, on: database)
            return nil
        } catch let error as PersonioError {
            try await record(error, for: absence, on: database)
            return error
        }
    }

    /// Removes the absence's record in Personio (already gone is fine).
    func remove(_ absence: AbsenceModel, on database: any Database) async throws(PersonioError) {
        guard let personioID = absence.personioID else { return }
        let client: PersonioClient
        do {
            guard let source = try await SourceModel.find(absence.sourceID, on: database) else { return }
            client = try await environment.personioClient(for: source)
        } catch let error as PersonioError {
            throw error
        } catch {
            throw .forbidden(message: "the source's stored secret cannot be read; save its credentials again")
        }
        do {
            if absence.unit == "hour" {
                try await client.deleteAbsencePeriod(id: personioID)
            } else if let id = Int(personioID) {
                try await client.deleteTimeOff(id: id)
            }
        } catch .notFound {
            // deleted in Personio already
        }
    }

    /// The Personio id of this absence when an attempt whose answer was lost did write it.
    func written(_ absence: AbsenceModel, on database: any Database) async throws -> String? {
        guard let source = try await SourceModel.find(absence.sourceID, on: database) else { return nil }
        let client = try await environment.personioClient(for: source)
        return try await find(absence, with: client)
    }

    /// Writes every pending absence whose retry is due; returns how many were tried.
    public func retryDue(limit: Int = 50) async throws -> Int {
        let due = try await AbsenceModel.query(on: database).filter(\.$status == .pending).filter(\.$retryAt <= now)
            .sort(\.$retryAt).limit(limit).all()
        var tried = 0
        for absence in due where try await claim(absence, on: database) {
            try await write(absence, on: database)
            tried += 1
        }
        return tried
    }

    private func create(_ absence: AbsenceModel, with client: PersonioClient) async throws(PersonioError) -> String {
        let (start, end) = (absence.startDate, absence.endDate)
        if absence.unit == "hour" {
            return try await client.createAbsencePeriod(employeeID: absence.employeeID, typeID: absence.timeOffTypeID, start: start, end: end,
                                                        startTime: absence.startTime, endTime: absence.endTime,
                                                        halfDayStart: absence.halfDayStart, halfDayEnd: absence.halfDayEnd,
                                                        comment: absence.comment).id
        }
        return String(try await client.createTimeOff(employeeID: absence.employeeID, typeID: absence.timeOffTypeID, start: start, end: end,
                                                     halfDayStart: absence.halfDayStart, halfDayEnd: absence.halfDayEnd,
                                                     comment: absence.comment).id)
    }

    /// The same absence in Personio (person, type and dates), written by an attempt whose answer was lost.
    private func find(_ absence: AbsenceModel, with client: PersonioClient) async throws(PersonioError) -> String? {
        let (start, end) = (absence.startDate, absence.endDate)
        if absence.unit == "hour" {
            return try await client.absencePeriods(from: start, to: end, employees: [absence.employeeID])
                .first { $0.typeID == absence.timeOffTypeID && $0.startDate == start && $0.endDate == end }?.id
        }
        return try await client.timeOffs(from: start, to: end, employees: [absence.employeeID])
            .first { $0.typeID == absence.timeOffTypeID && $0.startDate == start && $0.endDate == end }.map { String($0.id) }
    }

    /// A transient failure waits for the next retry (five at most); anything else fails the absence.
    private func record(_ error: PersonioError, for absence: AbsenceModel, on database: any Database) async throws {
        let message = "\(error.explanation) \(error.remedy)"
        if error.isTransient, absence.attempts < Self.backoff.count {
            absence.status = .pending
            absence.retryAt = now.addingTimeInterval(Self.backoff[max(0, absence.attempts - 1)])
            absence.errorCode = "personio_unavailable"
            absence.error = message
            absence.claimedUntil = nil
            absence.updatedAt = now
            try await absence.save(on: database)
        } else {
            try await finish(absence, .failed, code: Self.code(error), error: message, on: database)
        }
    }

    private func finish(_ absence: AbsenceModel, _ status: AbsenceModel.Status, code: String?, error: String?,
                        on database: any Database) async throws {
        absence.status = status
        absence.errorCode = code
        absence.error = error
        absence.retryAt = nil
        absence.claimedUntil = nil
        absence.updatedAt = now
        try await absence.save(on: database)
    }

    static func code(_ error: PersonioError) -> String {
        switch error {
        case .validationFailed, .badRequest: "personio_refused"
        case .notFound: "personio_not_found"
        case .forbidden, .invalidCredentials: "personio_forbidden"
        default: "personio_failed"
        }
    }
}
