import Foundation
import Vapor

/// Personio's v2 routes: OAuth tokens, persons and employments. Handlers translate HTTP to store
/// calls and back; errors leave as v2 problem bodies (see `SandboxErrorMiddleware`).
struct PersonioV2Routes: Sendable {
    let store: SandboxStore

    func register(on routes: any RoutesBuilder) {
        let v2 = routes.grouped("v2")
        v2.post("auth", "token") { req in
            let grant = try await store.issueV2Token(form: try oauthForm(req))
            var json = JSONWriter()
            json.beginObject()
            json.key("access_token"); json.string(grant.token)
            json.key("token_type"); json.string("Bearer")
            json.key("expires_in"); json.int(grant.expiresIn)
            json.key("scope"); json.string(grant.scope)
            json.endObject()
            return Self.json(json.bytes)
        }
        v2.post("auth", "revoke") { req in
            try await store.revokeV2Token(form: try oauthForm(req))
            return Response(status: .ok)
        }
        v2.get("persons") { req in
            try await resource(req, .personsRead) { credential in
                try await store.personsPage(credential: credential, query: query(req), origin: origin(req)).render()
            }
        }
        registerAbsences(on: v2)
        registerOrgUnits(on: v2)
        registerWebhooks(on: v2)
        v2.post("persons") { req in
            let body = try v2Body(req)
            let response = try await resource(req, .personsWrite, status: .created) { _ in
                let id = try await store.createPerson(body: body)
                return Self.created(id: String(id), href: "\(origin(req))/v2/persons/\(id)")
            }
            return response
        }
        v2.patch("persons", ":id") { req in
            let body = try v2Body(req)
            return try await resource(req, .personsWrite) { credential in
                try await store.updatePerson(id: req.parameters.get("id") ?? "", body: body, credential: credential, origin: origin(req))
            }
        }
        v2.patch("persons", ":id", "employments", ":employment") { req in
            let body = try v2Body(req)
            return try await resource(req, .employmentsWrite) { credential in
                try await store.updateEmployment(personID: req.parameters.get("id") ?? "", id: req.parameters.get("employment") ?? "",
                                                 body: body, credential: credential, origin: origin(req))
            }
        }
        v2.get("persons", ":id") { req in
            try await resource(req, .personsRead) { credential in
                try await store.personDocument(credential: credential, id: req.parameters.get("id") ?? "", origin: origin(req))
            }
        }
        v2.get("persons", ":id", "employments") { req in
            try await resource(req, .employmentsRead) { credential in
                try await store.employmentsPage(credential: credential, personID: req.parameters.get("id") ?? "",
                                                query: query(req), origin: origin(req))
            }
        }
        v2.get("persons", ":id", "employments", ":employment") { req in
            try await resource(req, .employmentsRead) { credential in
                try await store.employmentDocument(credential: credential, personID: req.parameters.get("id") ?? "",
                                                   id: req.parameters.get("employment") ?? "", origin: origin(req))
            }
        }
    }

    private func registerAbsences(on v2: any RoutesBuilder) {
        v2.get("absence-types") { req in
            try await resource(req, .absencesRead) { _ in try await store.absenceTypesPage(query: query(req), origin: origin(req)) }
        }
        v2.get("absence-periods") { req in
            try await resource(req, .absencesRead) { credential in
                try await store.absencePeriodsV2Page(credential: credential, query: query(req), origin: origin(req))
            }
        }
        v2.get("absence-periods", ":id") { req in
            try await resource(req, .absencesRead) { _ in
                try await store.absencePeriodV2Document(id: req.parameters.get("id") ?? "", origin: origin(req))
            }
        }
        v2.post("absence-periods") { req in
            let body = try v2Body(req)
            return try await resource(req, .absencesWrite, status: .created) { _ in
                let id = try await store.createAbsencePeriodV2(body: body)
                return Self.created(id: id, href: "\(origin(req))/v2/absence-periods/\(id)")
            }
        }
        v2.delete("absence-periods", ":id") { req in
            let response = try await resource(req, .absencesWrite, status: .noContent) { _ in
                try await store.deleteAbsencePeriodV2(id: req.parameters.get("id") ?? "")
                return []
            }
            response.headers.remove(name: .contentType)
            return response
        }
    }

    private func registerOrgUnits(on v2: any RoutesBuilder) {
        v2.get("org-units") { req in
            try await resource(req, .employmentsRead) { _ in try await store.orgUnitsPage(query: query(req), origin: origin(req)) }
        }
        v2.get("org-units", ":id") { req in
            try await resource(req, .employmentsRead) { _ in
                try await store.orgUnitDocument(id: req.parameters.get("id") ?? "", legalEntity: false)
            }
        }
        v2.get("legal-entities") { req in
            try await resource(req, .employmentsRead) { _ in try await store.legalEntitiesPage(query: query(req), origin: origin(req)) }
        }
        v2.get("legal-entities", ":id") { req in
            try await resource(req, .employmentsRead) { _ in
                try await store.orgUnitDocument(id: req.parameters.get("id") ?? "", legalEntity: true)
            }
        }
    }

    private func registerWebhooks(on v2: any RoutesBuilder) {
        v2.post("webhooks") { req in
            let input = try WebhookInput(try v2Body(req))
            return try await resource(req, .webhooksWrite, status: .created) { credential in
                Self.render(try await store.createWebhook(clientId: credential.clientId, input: input))
            }
        }
        v2.get("webhooks") { req in
            try await resource(req, .webhooksRead) { credential in
                let (paging, _) = try SandboxStore.split(query(req), filters: [], maximum: 100)
                let all = await store.webhooks(clientId: credential.clientId)
                let start = paging.after.flatMap { after in all.firstIndex { $0.id == after }.map { $0 + 1 } } ?? 0
                let page = Array(all.dropFirst(start).prefix(paging.limit))
                let links = V2Links(origin: origin(req), path: "/v2/webhooks", filters: [])
                let next = all.count > start + paging.limit ? page.last.map { links.href(cursor: V2Paging.cursor(after: $0.id),
                                                                                         limit: paging.limit) } : nil
                return V2Page(items: page, selfHref: links.href(cursor: paging.cursor, limit: paging.limit), nextHref: next)
                    .render { subscription, json in Self.write(subscription, into: &json) }
            }
        }
        v2.get("webhooks", ":id") { req in
            try await resource(req, .webhooksRead) { credential in
                Self.render(try await store.webhook(clientId: credential.clientId, id: req.parameters.get("id") ?? ""))
            }
        }
        v2.patch("webhooks", ":id") { req in
            let input = try WebhookInput(try v2Body(req))
            return try await resource(req, .webhooksWrite) { credential in
                Self.render(try await store.updateWebhook(clientId: credential.clientId, id: req.parameters.get("id") ?? "", input: input))
            }
        }
        v2.delete("webhooks", ":id") { req in
            let response = try await resource(req, .webhooksWrite, status: .noContent) { credential in
                try await store.deleteWebhook(clientId: credential.clientId, id: req.parameters.get("id") ?? "")
                return []
            }
            response.headers.remove(name: .contentType)
            return response
        }
        v2.get("webhooks", ":id", "events") { req in
            try await resource(req, .webhooksRead) { credential in
                try await store.webhookEventsPage(clientId: credential.clientId, id: req.parameters.get("id") ?? "", query: query(req),
                                                  origin: origin(req))
            }
        }
    }

    /// A subscription as the API shows it: never its token or custom header values.
    static func write(_ subscription: WebhookSubscription, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(subscription.id)
        json.key("url"); json.string(subscription.url)
        if let description = subscription.description { json.key("description"); json.string(description) }
        json.key("status"); json.string(subscription.status.rawValue)
        json.key("auth_type"); json.string(subscription.authType.rawValue)
        json.key("custom_headers")
        json.beginArray()
        for header in subscription.customHeaders {
            json.beginObject()
            json.key("name"); json.string(header.name)
            json.endObject()
        }
        json.endArray()
        json.key("enabled_events")
        json.beginArray()
        subscription.enabledEvents.forEach { json.string($0) }
        json.endArray()
        json.key("created_at"); json.utcTimestamp(subscription.createdAt)
        json.key("updated_at"); json.utcTimestamp(subscription.updatedAt)
        json.endObject()
    }

    /// Personio's `CreatedObject`: `{"id","_meta":{"links":{"self":{"href"}}}}`.
    static func created(id: String, href: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("_meta")
        json.beginObject()
        json.key("links")
        json.beginObject()
        json.key("self"); json.link(href)
        json.endObject()
        json.endObject()
        json.endObject()
        return json.bytes
    }

    static func render(_ subscription: WebhookSubscription) -> [UInt8] {
        var json = JSONWriter()
        write(subscription, into: &json)
        return json.bytes
    }

    /// Runs a v2 resource request through the gate (limit switch, faults, token, scope).
    private func resource(
        _ req: Request, _ scope: V2Scope, status: HTTPResponseStatus = .ok,
        _ produce: @Sendable (SandboxCredential) async throws -> [UInt8]
    ) async throws -> Response {
        let admitted = try await store.admitV2(authorization: req.headers.first(name: .authorization), scope: scope)
        if admitted.latencyMs > 0 { try await Task.sleep(for: .milliseconds(admitted.latencyMs)) }
        let response = Self.json(try await produce(admitted.credential))
        response.status = status
        return response
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    private func query(_ req: Request) -> [(String, String)] {
        FormFields.pairs(req.url.query ?? "")
    }

    private func origin(_ req: Request) -> String {
        "http://\(req.headers.first(name: .host) ?? "127.0.0.1")"
    }

    /// A v2 write's JSON object body.
    private func v2Body(_ req: Request) throws(V2Failure) -> [String: PlainValue] {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else { throw .invalidField("body", "Send the fields as a JSON object.") }
        guard let value = try? PlainValue.parse(Data(buffer.readableBytesView)) else {
            throw V2Failure(status: 400, title: "Bad request", detail: "The request body is not valid JSON.", code: "common.bad_request")
        }
        guard case .object(let object) = value else { throw .invalidField("body", "The body must be a JSON object.") }
        return object
    }

    /// The token endpoints take `application/x-www-form-urlencoded` only.
    private func oauthForm(_ req: Request) throws(OAuthFailure) -> [String: String] {
        guard req.headers.contentType?.type == "application", req.headers.contentType?.subType == "x-www-form-urlencoded" else {
            throw .wrongContentType
        }
        let text = req.body.data.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
        var form: [String: String] = [:]
        for (name, value) in FormFields.pairs(text) { form[name] = value }
        return form
    }
}
