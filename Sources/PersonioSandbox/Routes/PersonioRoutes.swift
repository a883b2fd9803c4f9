import Foundation
import PersonioAPI
import Vapor

/// Personio's v1 routes. Handlers only translate HTTP to store calls and back.
struct PersonioRoutes: Sendable {
    let store: SandboxStore

    func register(on routes: any RoutesBuilder) {
        let v1 = routes.grouped("v1")
        v1.post("auth", use: auth)
        let company = v1.grouped("company")
        company.get("employees") { req in
            try await personnel(req, .employeesRead) { credential in
                try await store.employeesPage(credential: credential, query: query(req), apiBaseURL: apiBaseURL(req)).render()
            }
        }
        company.post("employees") { req in
            let fields = try employeeFields(req)
            return try await personnel(req, .employeesWrite) { _ in try await store.createEmployee(fields: fields) }
        }
        company.get("employees", "attributes") { req in
            try await personnel(req, .employeesRead) { credential in await store.attributesDocument(credential: credential) }
        }
        company.get("employees", ":id") { req in
            try await personnel(req, .employeesRead) { credential in
                try await store.employeeDocument(credential: credential, id: req.parameters.get("id") ?? "", apiBaseURL: apiBaseURL(req))
            }
        }
        company.patch("employees", ":id") { req in
            let fields = try employeeFields(req)
            return try await personnel(req, .employeesWrite) { _ in
                try await store.updateEmployee(id: req.parameters.get("id") ?? "", fields: fields)
            }
        }
        for path in [["employees", ":id", "profile-picture"], ["employees", ":id", "profile-picture", ":width"]] {
            company.get(path.map { PathComponent(stringLiteral: $0) }) { req in
                let admitted = try await store.admit(authorization: req.headers.first(name: .authorization), permission: .employeesRead)
                try await delay(admitted.latencyMs)
                let png = try await store.profilePicture(credential: admitted.credential, id: req.parameters.get("id") ?? "",
                                                         width: req.parameters.get("width"))
                return Response(status: .ok, headers: ["Content-Type": "image/png", "Authorization": "Bearer \(admitted.token)"],
                                body: .init(buffer: ByteBuffer(bytes: png)))
            }
        }
        company.get("time-off-types") { req in
            try await personnel(req, .absencesRead) { _ in try await store.timeOffTypesDocument(query: query(req)) }
        }
        company.get("time-offs") { req in
            try await personnel(req, .absencesRead) { credential in try await store.timeOffsPage(credential: credential, query: query(req)) }
        }
        company.post("time-offs") { req in
            let fields = try bodyFields(req)
            return try await personnel(req, .absencesWrite) { credential in
                try await store.createTimeOff(credential: credential, fields: fields)
            }
        }
        company.get("time-offs", ":id") { req in
            try await personnel(req, .absencesRead) { credential in
                try await store.timeOffDocument(credential: credential, id: req.parameters.get("id") ?? "")
            }
        }
        company.delete("time-offs", ":id") { req in
            try await personnel(req, .absencesWrite) { _ in try await store.deleteTimeOff(id: req.parameters.get("id") ?? "") }
        }
        company.get("absence-periods") { req in
            try await personnel(req, .absencesRead) { credential in
                try await store.absencePeriodsPage(credential: credential, query: query(req))
            }
        }
        company.post("absence-periods") { req in
            let fields = try bodyFields(req)
            let response = try await personnel(req, .absencesWrite) { credential in
                try await store.createAbsencePeriod(credential: credential, fields: fields)
            }
            response.status = .created
            return response
        }
        company.delete("absence-periods", ":id") { req in
            try await personnel(req, .absencesWrite) { _ in try await store.deleteAbsencePeriod(id: req.parameters.get("id") ?? "") }
        }
    }

    private func auth(_ req: Request) async throws -> Response {
        var fields = try bodyFields(req)
        var fromQuery = false
        if fields["client_id"] == nil, fields["client_secret"] == nil {
            let pairs = query(req)
            if let id = pairs.first(where: { $0.0 == "client_id" })?.1 { fields["client_id"] = .string(id); fromQuery = true }
            if let secret = pairs.first(where: { $0.0 == "client_secret" })?.1 { fields["client_secret"] = .string(secret); fromQuery = true }
        }
        let grant = try await store.authenticate(clientId: fields["client_id"]?.text, clientSecret: fields["client_secret"]?.text,
                                                 fromQuery: fromQuery)
        var json = JSONWriter()
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("data")
        json.beginObject()
        json.key("token"); json.string(grant.token)
        json.key("expires_in"); json.int(grant.expiresIn)
        json.key("scope"); json.string(grant.scope)
        json.endObject()
        json.endObject()
        return jsonResponse(json.bytes, token: grant.token)
    }

    /// Runs a personnel-data request through the gate (limits, faults, token, permission) and
    /// echoes the token in `Authorization`, as Personio does.
    private func personnel(
        _ req: Request, _ permission: SandboxCredential.Permission,
        _ produce: @Sendable (SandboxCredential) async throws -> [UInt8]
    ) async throws -> Response {
        let admitted = try await store.admit(authorization: req.headers.first(name: .authorization), permission: permission)
        try await delay(admitted.latencyMs)
        let body = try await produce(admitted.credential)
        if req.method != .GET { try await delay(await store.faults.slowWritesMs) }
        return jsonResponse(body, token: admitted.token)
    }

    private func delay(_ milliseconds: Int) async throws {
        if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }

    private func jsonResponse(_ bytes: [UInt8], token: String) -> Response {
        Response(status: .ok,
                 headers: ["Content-Type": "application/json; charset=utf-8", "Authorization": "Bearer \(token)"],
                 body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    private func query(_ req: Request) -> [(String, String)] {
        FormFields.pairs(req.url.query ?? "")
    }

    private func apiBaseURL(_ req: Request) -> String {
        "http://\(req.headers.first(name: .host) ?? "127.0.0.1")/v1"
    }

    /// The `employee` object of a create or update, from JSON or `employee[…]` form fields.
    private func employeeFields(_ req: Request) throws -> [String: PlainValue] {
        let fields = try bodyFields(req)
        guard let employee = fields["employee"] else {
            throw PersonioFailure(status: 422, code: 422, message: "The employee field is required.",
                                  errorData: ["employee": ["Send the fields inside an \"employee\" object."]])
        }
        guard case .object(let object) = employee else {
            throw PersonioFailure(status: 422, code: 422, message: "The employee field must be an object.",
                                  errorData: ["employee": ["The employee field must be an object."]])
        }
        return object
    }
}

/// Reads a JSON or form body into fields; malformed JSON is a 400 in Personio's envelope.
func bodyFields(_ req: Request) throws -> [String: PlainValue] {
    guard let buffer = req.body.data, buffer.readableBytes > 0 else { return [:] }
    let bytes = Data(buffer.readableBytesView)
    let contentType = req.headers.contentType
    let looksLikeJSON = contentType == .json || (contentType == nil && bytes.first == UInt8(ascii: "{"))
    if looksLikeJSON || contentType?.subType.hasSuffix("json") == true {
        guard let value = try? JSONValue.parse(bytes) else {
            throw PersonioFailure(status: 400, code: 400, message: "The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw PersonioFailure(status: 400, code: 400, message: "The request body must be a JSON object.")
        }
        return object
    }
    return FormFields.object(FormFields.pairs(String(decoding: bytes, as: UTF8.self)))
}
