import Fluent
import FluentSQL
import Foundation
import PersonioAPI
import SyncEngine
import Vapor

/// `ats-handoff`: a recruiting tool hands a hired candidate to Personio, exactly once per workspace
/// and candidate id. The hand-off row is claimed before Personio is called; a repeated or concurrent
/// request waits for the first and answers with its result. A create that may have reached Personio
/// (a timeout, a 5xx) is never repeated blindly: the next attempt looks the e-mail up first.
struct HandoffRoutes: RouteCollection {
    let runner: SyncRunner
    /// A `sending` claim older than this belongs to a request that died; another may take it over.
    static let staleClaim: TimeInterval = 120
    /// How long a concurrent request waits for the first one.
    static let waitForFirst: Duration = .seconds(30)

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(TokenAuthenticator())
        api.post("handoffs", use: handOff)
        api.get("handoffs", use: list)
        api.get("handoffs", ":candidate", use: get)
    }

    struct HandoffInput: Content {
        var sourceId: UUID?
        var candidateId: String?
        var firstName: String?
        var lastName: String?
        var email: String?
        var position: String?
        var department: String?
        var office: String?
        var hireDate: String?
        var supervisorEmail: String?
        var sentBy: String?
        /// When an employee with the e-mail exists already: link the candidate to them instead of a 409.
        var linkExisting: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case email, position, department, office
            case sourceId = "source_id", candidateId = "candidate_id", firstName = "first_name", lastName = "last_name"
            case hireDate = "hire_date", supervisorEmail = "supervisor_email", sentBy = "sent_by", linkExisting = "link_existing"
        }
    }

    struct HandoffView: Content {
        var candidateId: String
        var status: String
        var personioId: Int?
        var sentBy: String
        var sentAt: Date?
        var error: String?
        var note: String?

        init(_ model: HandoffModel, note: String? = nil) {
            candidateId = model.candidateID
            status = model.status.rawValue
            personioId = model.personioID
            sentBy = model.sentBy
            sentAt = model.sentAt
            error = model.error
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case status, error, note
            case candidateId = "candidate_id", personioId = "personio_id", sentBy = "sent_by", sentAt = "sent_at"
        }
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

    func validate(_ input: HandoffInput, workspaceID: UUID, on database: any Database) async throws -> Candidate {
        func required(_ value: String?, _ field: String, _ what: String) throws -> String {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { throw APIError.invalid(field, "\(field) is required: \(what)") }
            guard value.count <= 200 else { throw APIError.invalid(field, "\(field) is at most 200 characters") }
            return value
        }
        let candidate = try required(input.candidateId, "candidate_id", "the candidate's id in the sending app")
        let first = try required(input.firstName, "first_name", "the first name")
        let last = try required(input.lastName, "last_name", "the last name")
        let email = try required(input.email, "email", "the work e-mail address").lowercased()
        guard EmailAddress.isValid(email) else { throw APIError.invalid("email", "\(email) is not an e-mail address") }
        let position = try required(input.position, "position", "the job title")
        let sentBy = try required(input.sentBy, "sent_by", "the name of the person sending the hire")
        var hireDate: LocalDate?
        if let text = input.hireDate {
            guard let date = LocalDate(text) else { throw APIError.invalid("hire_date", "hire_date is a date as YYYY-MM-DD") }
            hireDate = date
        }
        var supervisor: String?
        if let text = input.supervisorEmail?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard EmailAddress.isValid(text) else { throw APIError.invalid("supervisor_email", "\(text) is not an e-mail address") }
            supervisor = text.lowercased()
        }
        guard let sourceID = input.sourceId else { throw APIError.invalid("source_id", "source_id is required: the Personio source to create the employee in") }
        guard try await SourceModel.query(on: database).filter(\.$id == sourceID).filter(\.$workspace.$id == workspaceID).first() != nil else {
            throw APIError.invalid("source_id", "no source with that id in this workspace")
        }
        let employee = NewEmployee(email: email, firstName: first, lastName: last, position: position,
                                   department: input.department?.nilIfEmpty, office: input.office?.nilIfEmpty, hireDate: hireDate)
        return Candidate(sourceID: sourceID, candidateID: candidate, employee: employee, supervisorEmail: supervisor, sentBy: sentBy,
                         linkExisting: input.linkExisting ?? false)
    }

    func handOff(_ request: Request) async throws -> Response {
        let input = try request.strictContent(HandoffInput.self)
        let (view, status) = try await handOff(input, scope: try request.workspace, on: request.db)
        return try APIRoutes.encode(view, status: status)
    }

    /// Hands a candidate over exactly once (API and dashboard): 201 when this call created the
    /// employee, 200 with the first result for a repeat.
    func handOff(_ input: HandoffInput, scope: WorkspaceScope, on database: any Database) async throws -> (HandoffView, HTTPResponseStatus) {
        let candidate = try await validate(input, workspaceID: scope.workspaceID, on: database)
        let deadline = ContinuousClock.now + Self.waitForFirst
        while true {
            switch try await claim(candidate, workspaceID: scope.workspaceID, on: database) {
            case .done(let model):
                return (HandoffView(model), .ok)
            case .owned(let model):
                return try await send(candidate, model, on: database)
            case .busy:
                guard ContinuousClock.now < deadline else {
                    throw APIError(status: .conflict, code: "in_progress",
                                   message: "This candidate is being handed over by another request right now; ask again in a moment.")
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

    func claim(_ candidate: Candidate, workspaceID: UUID, on database: any Database) async throws -> Claim {
        let now = runner.now()
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
    func send(_ candidate: Candidate, _ model: HandoffModel, on database: any Database) async throws -> (HandoffView, HTTPResponseStatus) {
        let source = try await SourceModel.find(candidate.sourceID, on: database)
        guard let source else { throw APIError.invalid("source_id", "the source was deleted") }
        let client: PersonioClient
        do {
            client = try await runner.personioClient(for: source)
        } catch {
            let message = "\(SyncRunner.explain(error)) Save the source's credentials again (PUT /api/v1/sources/{id}/credentials)."
            try await fail(model, code: "source_unreadable", message: message, on: database)
            throw APIError(status: .conflict, code: "source_unreadable", message: message, field: "source_id")
        }
        do {
            var employee = candidate.employee
            if let existing = try await client.employeeID(email: employee.email) {
                if model.attempts > 0 {
                    return try await succeed(model, personioID: existing, status: .created, on: database,
                                             note: "found under the e-mail after an earlier attempt could not be confirmed")
                }
                guard candidate.linkExisting else {
                    let message = "Personio already has employee \(existing) with the e-mail \(employee.email). Send again with "
                        + "\"link_existing\": true to link the candidate to them, or correct the e-mail."
                    try await fail(model, code: "employee_exists", message: message, on: database)
                    throw APIError(status: .conflict, code: "employee_exists", message: message, field: "email")
                }
                return try await succeed(model, personioID: existing, status: .ok, on: database, note: "linked to the existing employee")
            }
            if let boss = candidate.supervisorEmail {
                guard let id = try await client.employeeID(email: boss) else {
                    try await fail(model, code: "unknown_supervisor", message: "no Personio employee has the e-mail \(boss)", on: database)
                    throw APIError.invalid("supervisor_email", "no Personio employee has the e-mail \(boss)")
                }
                employee.supervisorId = id
            }
            model.attempts += 1
            model.updatedAt = runner.now()
            try await model.save(on: database)
            let id = try await client.createEmployee(employee)
            return try await succeed(model, personioID: id, status: .created, on: database, note: nil)
        } catch let error as PersonioError {
            let status: HTTPResponseStatus = switch error {
            case .duplicateEmail: .conflict
            case .validationFailed: .unprocessableEntity
            case .forbidden, .invalidCredentials: .forbidden
            default: .badGateway
            }
            let message = "\(error.explanation) \(error.remedy)"
            try await fail(model, code: "personio_\(status.code)", message: message, on: database)
            throw APIError(status: status, code: status == .conflict ? "employee_exists" : "personio_refused", message: message)
        }
    }

    private func succeed(_ model: HandoffModel, personioID: Int, status: HTTPResponseStatus, on database: any Database,
                         note: String?) async throws -> (HandoffView, HTTPResponseStatus) {
        model.status = .sent
        model.personioID = personioID
        model.sentAt = runner.now()
        model.updatedAt = runner.now()
        model.error = nil
        model.errorCode = nil
        try await model.save(on: database)
        try await AuditEventModel(workspaceID: model.$workspace.id, actor: model.sentBy, action: "handoff.sent",
                                  subject: "candidate \(model.candidateID)", detail: "Personio employee \(personioID)",
                                  at: runner.now()).save(on: database)
        return (HandoffView(model, note: note), status)
    }

    /// Records a failed attempt; a later request may try again.
    private func fail(_ model: HandoffModel, code: String, message: String, on database: any Database) async throws {
        model.status = .failed
        model.errorCode = code
        model.error = message
        model.updatedAt = runner.now()
        try await model.save(on: database)
    }

    func list(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        let page = try ListPage(request)
        let query = HandoffModel.query(on: request.db).filter(\.$workspace.$id == scope.workspaceID).sort(\.$createdAt, .descending)
            .sort(\.$id)
        return try APIRoutes.encode(try await page.read(query) { HandoffView($0) }, status: .ok)
    }

    func get(_ request: Request) async throws -> Response {
        let scope = try request.workspace
        guard let candidate = request.parameters.get("candidate"),
              let row = try await HandoffModel.query(on: request.db).filter(\.$workspace.$id == scope.workspaceID)
                .filter(\.$candidateID == candidate).first() else { throw APIError.notFound("hand-off") }
        return try APIRoutes.encode(HandoffView(row), status: .ok)
    }
}
