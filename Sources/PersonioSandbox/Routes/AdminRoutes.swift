import Foundation
import PersonioAPI
import SyncEngine
import Vapor

/// `/sandbox/…`: the admin API tests, demos and scripts use to act as Personio's HR admin.
struct AdminRoutes: Sendable {
    let store: SandboxStore
    let adminToken: String

    func register(on routes: any RoutesBuilder) {
        let admin = routes.grouped("sandbox").grouped(AdminTokenMiddleware(token: adminToken))
        admin.get { _ in try json(await store.summary()) }

        admin.post("employees") { req in
            let id = try await store.adminCreateEmployee(fields: try adminFields(req))
            return try json(["id": id], status: .created)
        }
        admin.patch("employees", ":id") { req in
            let id = try employeeId(req)
            let changed = try await store.adminUpdateEmployee(id: id, fields: try adminFields(req))
            return try json(EmployeeChange(id: id, changed: changed))
        }
        admin.post("employees", ":id", "terminate") { req in
            let id = try employeeId(req)
            let fields = try adminFields(req)
            guard let text = fields["termination_date"]?.text, text.utf8.count == 10, let date = LocalDate(text) else {
                throw AdminFailure.invalid("termination_date", "termination_date is required as YYYY-MM-DD")
            }
            var lastDay: LocalDate?
            if let value = fields["last_working_day"], !value.isBlank {
                guard let text = value.text, let parsed = LocalDate(text) else {
                    throw AdminFailure.invalid("last_working_day", "last_working_day must be a date as YYYY-MM-DD")
                }
                lastDay = parsed
            }
            try await store.adminTerminate(id: id, date: date, type: fields["termination_type"]?.text,
                                           reason: fields["termination_reason"]?.text, lastWorkingDay: lastDay)
            return try json(EmployeeChange(id: id, changed: ["termination_date"]))
        }
        admin.delete("employees", ":id") { req in
            try await store.adminDeleteEmployee(id: try employeeId(req))
            return Response(status: .noContent)
        }

        admin.get("credentials") { _ in try json(await store.credentials().map { CredentialView($0, includeSecret: false) }) }
        admin.get("credentials", ":clientId") { req in
            guard let credential = await store.credential(clientId: req.parameters.get("clientId") ?? "") else {
                throw AdminFailure.notFound("No credential with client_id \(req.parameters.get("clientId") ?? "")")
            }
            return try json(CredentialView(credential, includeSecret: false))
        }
        admin.post("credentials") { req in
            let fields = try adminFields(req)
            var credential = SandboxCredential(
                clientId: try optionalText(fields, "client_id") ?? "papi-client-" + SandboxConfiguration.randomToken(bytes: 8),
                clientSecret: try optionalText(fields, "client_secret") ?? "papi-secret-" + SandboxConfiguration.randomToken(bytes: 16),
                name: try optionalText(fields, "name") ?? "Integration")
            try apply(fields, to: &credential)
            try await store.addCredential(credential)
            return try json(CredentialView(credential, includeSecret: true), status: .created)
        }
        admin.patch("credentials", ":clientId") { req in
            let clientId = req.parameters.get("clientId") ?? ""
            guard var credential = await store.credential(clientId: clientId) else {
                throw AdminFailure.notFound("No credential with client_id \(clientId)")
            }
            let fields = try adminFields(req)
            if let name = try optionalText(fields, "name") { credential.name = name }
            if let secret = try optionalText(fields, "client_secret") { credential.clientSecret = secret }
            try apply(fields, to: &credential)
            try await store.replaceCredential(credential)
            return try json(CredentialView(credential, includeSecret: false))
        }
        admin.delete("credentials", ":clientId") { req in
            try await store.removeCredential(clientId: req.parameters.get("clientId") ?? "")
            return Response(status: .noContent)
        }

        admin.get("faults") { _ in try json(await store.faults) }
        admin.put("faults") { req in
            guard let buffer = req.body.data else { throw AdminFailure.invalid("body", "send the faults as a JSON object") }
            let faults: SandboxFaults
            if let object = try? JSONValue.parse(Data(buffer.readableBytesView)).object,
               let unknown = object.keys.sorted().first(where: { !SandboxFaults.fieldNames.contains($0) }) {
                throw AdminFailure.invalid(unknown, "\(unknown) is not a fault or switch; they are "
                                                    + "\(SandboxFaults.fieldNames.sorted().joined(separator: ", "))")
            }
            do {
                faults = try JSONDecoder().decode(SandboxFaults.self, from: Data(buffer.readableBytesView))
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
                throw AdminFailure.invalid(context.codingPath.last?.stringValue ?? "body", "invalid value: \(context.debugDescription)")
            } catch {
                throw AdminFailure.invalid("body", "the faults must be a JSON object")
            }
            try await store.setFaults(faults)
            return try json(faults)
        }
    }

    private struct EmployeeChange: Encodable {
        var id: Int
        var changed: [String]
    }

    private struct CredentialView: Encodable {
        var clientId: String
        var clientSecret: String?
        var name: String
        var readableAttributes: [String]?
        var permissions: [String]

        init(_ credential: SandboxCredential, includeSecret: Bool) {
            clientId = credential.clientId
            clientSecret = includeSecret ? credential.clientSecret : nil
            name = credential.name
            readableAttributes = credential.readableAttributes?.sorted()
            permissions = credential.permissions.sorted().map(\.rawValue)
        }

        enum CodingKeys: String, CodingKey {
            case clientId = "client_id", clientSecret = "client_secret", name
            case readableAttributes = "readable_attributes", permissions
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(clientId, forKey: .clientId)
            try c.encodeIfPresent(clientSecret, forKey: .clientSecret)
            try c.encode(name, forKey: .name)
            try c.encode(readableAttributes, forKey: .readableAttributes)
            try c.encode(permissions, forKey: .permissions)
        }
    }

    /// `readable_attributes`: a list of keys, or null for every attribute. `permissions`: a list.
    private func apply(_ fields: [String: PlainValue], to credential: inout SandboxCredential) throws {
        if let readable = fields["readable_attributes"] {
            switch readable {
            case .null: credential.readableAttributes = nil
            case .array(let items):
                credential.readableAttributes = Set(try items.map { item -> String in
                    guard let key = item.text else { throw AdminFailure.invalid("readable_attributes",
                                                                                "readable_attributes must be a list of attribute keys") }
                    return key
                })
            default: throw AdminFailure.invalid("readable_attributes", "readable_attributes must be a list of attribute keys or null")
            }
        }
        if let permissions = fields["permissions"] {
            guard case .array(let items) = permissions else {
                throw AdminFailure.invalid("permissions", "permissions must be a list such as [\"employees:read\"]")
            }
            credential.permissions = Set(try items.map { item -> SandboxCredential.Permission in
                guard let text = item.text, let permission = SandboxCredential.Permission(rawValue: text) else {
                    let allowed = SandboxCredential.Permission.allCases.map(\.rawValue).joined(separator: ", ")
                    throw AdminFailure.invalid("permissions", "permissions may contain \(allowed)")
                }
                return permission
            })
        }
    }

    private func optionalText(_ fields: [String: PlainValue], _ name: String) throws -> String? {
        guard let value = fields[name], !value.isBlank else { return nil }
        guard case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw AdminFailure.invalid(name, "\(name) must be a non-empty string")
        }
        return text
    }

    private func employeeId(_ req: Request) throws -> Int {
        guard let text = req.parameters.get("id"), let id = Int(text) else {
            throw AdminFailure.notFound("No employee with id \(req.parameters.get("id") ?? "")")
        }
        return id
    }

    private func adminFields(_ req: Request) throws -> [String: PlainValue] {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else { return [:] }
        guard let value = try? JSONValue.parse(Data(buffer.readableBytesView)) else {
            throw AdminFailure(status: 400, code: "malformed_json", message: "The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw AdminFailure(status: 400, code: "malformed_json", message: "The request body must be a JSON object.")
        }
        return object
    }

    private func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .useDefaultKeys
        return Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"],
                        body: .init(data: try encoder.encode(value)))
    }
}

/// Requires `Authorization: Bearer <admin token>` on `/sandbox/…`.
struct AdminTokenMiddleware: AsyncMiddleware {
    let token: String

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let given = request.headers.first(name: .authorization), constantTimeEqual(given, "Bearer \(token)") else {
            throw AdminFailure(status: 401, code: "unauthorized",
                               message: "Send the sandbox admin token as 'Authorization: Bearer <token>'.")
        }
        return try await next.respond(to: request)
    }
}
