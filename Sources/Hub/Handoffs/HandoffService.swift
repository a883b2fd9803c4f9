import Fluent
import FluentSQL
import Foundation
import PersonioAPI
import SyncEngine

/// `ats-handoff`: a recruiting tool hands a hired candidate to Personio, exactly once per workspace
/// and candidate id (API and dashboard). The hand-off row is claimed before Personio is called; a
/// repeated or concurrent request waits for the first and answers with its result. A create that may
/// have reached Personio (a timeout, a 5xx) is never repeated blindly: the next attempt looks the
/// e-mail up first.
struct HandoffService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date
    /// A Personio client for a source's credentials.
    let personio: @Sendable (SourceModel) async throws -> PersonioClient
    /// A `sending` claim older than this belongs to a request that died; another may take it over.
    static let staleClaim: TimeInterval = 120
    /// How long a concurrent request waits for the first one.
    static let waitForFirst: Duration = .seconds(30)

    init(database: any Database, now: @escaping @Sendable () -> Date, personio: @escaping @Sendable (SourceModel) async throws -> PersonioClient) {
        self.database = database
        self.now = now
        self.personio = personio
    }

    init(environment: HubEnvironment, database: any Database) {
        self.init(database: database, now: environment.now, personio: { try await environment.personioClient(for: $0) })
    }

    /// A hire as the sending app (or the review page) describes it; checked by `handOff`.
    struct Request: Codable, Sendable {
        var sourceID: UUID?
        var candidateID: String?
        var firstName: String?
        var lastName: String?
        var email: String?
        var position: String?
        var department: String?
        var office: String?
        var hireDate: String?
        var supervisorEmail: String?
        var sentBy: String?
        /// When an employee with the e-mail exists already: link the candidate to them instead of a conflict.
        var linkExisting: Bool?

        enum CodingKeys: CodingKey, CaseIterable {
            case email, position, department, office, sourceID, candidateID, firstName, lastName, hireDate, supervisorEmail, sentBy, linkExisting
        }
    }

    /// What a hand-off did.
    struct Result: Sendable {
        enum Outcome: Sendable {
            /// This call created the employee (or found the one an earlier unconfirmed attempt created).
            case created
            /// Linked to an employee Personio already had (`link_existing`).
            case linked
            /// Sent before: the first result.
            case repeated
        }

        var handoff: HandoffModel
        var outcome: Outcome
        var note: String?
    }

    /// The validated request.
    struct Candidate {
        var sourceID: UUID
        var candidateID: String
        var employee: NewEmployee
        var supervisorEmail: String?
        var sentBy: String
        var linkExisting: Bool
    }

    func validate(_ input: Request, workspaceID: UUID) async throws -> Candidate {
        func required(_ value: String?, _ field: String, _ what: String) throws -> String {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw ServiceError.invalid(field, "\(field) is required: \(what)")
            }
            guard value.count <= 200 else { throw ServiceError.invalid(field, "\(field) is at most 200 characters") }
            return value
        }
        let candidate = try required(input.candidateID, "candidate_id", "the candidate's id in the sending app")
        let first = try required(input.firstName, "first_name", "the first name")
        let last = try required(input.lastName, "last_name", "the last name")
        let email = try required(input.email, "email", "the work e-mail address").lowercased()
        guard EmailAddress.isValid(email) else { throw ServiceError.invalid("email", "\(email) is not an e-mail address") }
        let position = try required(input.position, "position", "the job title")
        let sentBy = try required(input.sentBy, "sent_by", "the name of the person sending the hire")
        var hireDate: LocalDate?
        if let text = input.hireDate {
            hireDate = try InputRules.date(text, field: "hire_date", message: "hire_date is a date as YYYY-MM-DD", withTime: true)
        }
        var supervisor: String?
        if let text = input.supervisorEmail?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard EmailAddress.isValid(text) else { throw ServiceError.invalid("supervisor_email", "\(text) is not an e-mail address") }
            supervisor = text.lowercased()
        }
        guard let sourceID = input.sourceID else { throw ServiceError.invalid("source_id", "source_id is required: the Personio source to "
                                                                                           + "create the employee in") }
        guard try await SourceModel.query(on: database).filter(\.$id == sourceID).filter(\.$workspace.$id == workspaceID).first() != nil else {
            throw ServiceError.invalid("source_id", "no source with that id in this workspace")
        }
        let employee = NewEmployee(email: email, firstName: first, lastName: last, position: position,
                                   department: input.department?.nilIfEmpty, office: input.office?.nilIfEmpty, hireDate: hireDate)
        return Candidate(sourceID: sourceID, candidateID: candidate, employee: employee, supervisorEmail: supervisor, sentBy: sentBy,
                         linkExisting: input.linkExisting ?? false)
    }

    /// Hands a candidate over exactly once.
    func handOff(_ input: Request, workspaceID: UUID) async throws -> Result {
        let candidate = try await validate(input, workspaceID: workspaceID)
        let deadline = ContinuousClock.now + Self.waitForFirst
        while true {
            switch try await claim(candidate, workspaceID: workspaceID) {
            case .done(let model):
                return Result(handoff: model, outcome: .repeated)
            case .owned(let model):
                return try await send(candidate, model)
            case .busy:
                guard ContinuousClock.now < deadline else {
                    throw ServiceError.conflict("in_progress",
                                                "This candidate is being handed over by another request right now; ask again in a moment.")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    enum Claim {
        /// Sent already: the first result.
        case done(HandoffModel)
        /// This request creates the employee.
        case owned(HandoffModel)
        /// Another request is creating it right now.
        case busy
    }

    func claim(_ candidate: Candidate, workspaceID: UUID) async throws -> Claim {
        let now = self.now()
        let model = HandoffModel()
        model.$workspace.id = workspaceID
        model.sourceID = candidate.sourceID
        model.candidateID = candidate.candidateID
        model.status = .sending
        model.attempts = 0
        model.claim = 0
        model.sentBy = candidate.sentBy
        model.updatedAt = now
        do {
            try await model.create(on: database)
            return .owned(model)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // the candidate was handed over (or is being handed over) before
        }
        guard let existing = try await HandoffModel.query(on: database).filter(\.$workspace.$id == workspaceID)
            .filter(\.$candidateID == candidate.candidateID).first() else { return .busy }
        switch existing.status {
        case .sent:
            return .done(existing)
        case .sending where now.timeIntervalSince(existing.updatedAt) < Self.staleClaim:
            return .busy
        case .sending, .failed:
            // Take it over, unless another request just did.
            guard let sql = database as? any SQLDatabase, let id = existing.id else { return .busy }
            let taken = try await sql.raw("""
                UPDATE handoffs SET status = \(bind: HandoffModel.Status.sending.rawValue), updated_at = \(bind: now), \
                sent_by = \(bind: candidate.sentBy), claim = claim + 1 WHERE id = \(bind: id) AND claim = \(bind: existing.claim) RETURNING id
                """).all()
            guard !taken.isEmpty else { return .busy }
            existing.claim += 1
            existing.status = .sending
            existing.updatedAt = now
            existing.sentBy = candidate.sentBy
            return .owned(existing)
        }
    }

    /// Creates the employee (or finds the one an earlier attempt created) and records the outcome.
    func send(_ candidate: Candidate, _ model: HandoffModel) async throws -> Result {
        let source = try await SourceModel.find(candidate.sourceID, on: database)
        guard let source else { throw ServiceError.invalid("source_id", "the source was deleted") }
        let client: PersonioClient
        do {
            client = try await personio(source)
        } catch {
            let message = "\(ErrorText.explain(error)) Save the source's credentials again (PUT /api/v1/sources/{id}/credentials)."
            try await fail(model, code: "source_unreadable", message: message)
            throw ServiceError.conflict("source_unreadable", message, field: "source_id")
        }
        do {
            var employee = candidate.employee
            if let existing = try await client.employeeID(email: employee.email) {
                if model.attempts > 0 {
                    return try await succeed(model, personioID: existing, outcome: .created,
                                             note: "found under the e-mail after an earlier attempt could not be confirmed")
                }
                guard candidate.linkExisting else {
                    let message = "Personio already has employee \(existing) with the e-mail \(employee.email). Send again with "
                        + "\"link_existing\": true to link the candidate to them, or correct the e-mail."
                    try await fail(model, code: "employee_exists", message: message)
                    throw ServiceError.conflict("employee_exists", message, field: "email")
                }
                return try await succeed(model, personioID: existing, outcome: .linked, note: "linked to the existing employee")
            }
            if let boss = candidate.supervisorEmail {
                guard let id = try await client.employeeID(email: boss) else {
                    try await fail(model, code: "unknown_supervisor", message: "no Personio employee has the e-mail \(boss)")
                    throw ServiceError.invalid("supervisor_email", "no Personio employee has the e-mail \(boss)")
                }
                employee.supervisorId = id
            }
            model.attempts += 1
            model.updatedAt = now()
            try await model.save(on: database)
            let id = try await client.createEmployee(employee)
            return try await succeed(model, personioID: id, outcome: .created, note: nil)
        } catch let error as PersonioError {
            let (kind, status): (ServiceError.Kind, Int) = switch error {
            case .duplicateEmail: (.conflict, 409)
            case .validationFailed: (.invalid, 422)
            case .forbidden, .invalidCredentials: (.refused, 403)
            default: (.upstream, 502)
            }
            let message = "\(error.explanation) \(error.remedy)"
            try await fail(model, code: "personio_\(status)", message: message)
            throw ServiceError(kind, code: kind == .conflict ? "employee_exists" : "personio_refused", message: message)
        }
    }

    private func succeed(_ model: HandoffModel, personioID: Int, outcome: Result.Outcome, note: String?) async throws -> Result {
        model.status = .sent
        model.personioID = personioID
        model.sentAt = now()
        model.updatedAt = now()
        model.error = nil
        model.errorCode = nil
        try await model.save(on: database)
        try await AuditLog(database: database).record(.handoffSent, workspaceID: model.$workspace.id, actor: model.sentBy,
                                                      subject: "candidate \(model.candidateID)", detail: "Personio employee \(personioID)",
                                  at: now())
        return Result(handoff: model, outcome: outcome, note: note)
    }

    /// Records a failed attempt; a later request may try again.
    private func fail(_ model: HandoffModel, code: String, message: String) async throws {
        model.status = .failed
        model.errorCode = code
        model.error = message
        model.updatedAt = now()
        try await model.save(on: database)
    }

    /// The workspace's hand-offs, newest first, as a query to page through.
    func all(workspaceID: UUID) -> QueryBuilder<HandoffModel> {
        HandoffModel.query(on: database).filter(\.$workspace.$id == workspaceID).sort(\.$createdAt, .descending).sort(\.$id)
    }

    /// One candidate's hand-off.
    func find(candidateID: String, workspaceID: UUID) async throws -> HandoffModel {
        guard let row = try await HandoffModel.query(on: database).filter(\.$workspace.$id == workspaceID)
            .filter(\.$candidateID == candidateID).first() else { throw ServiceError.notFound("hand-off") }
        return row
    }
}
