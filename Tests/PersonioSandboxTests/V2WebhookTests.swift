import Foundation
import NIOHTTP1
import Testing
import TestSupport
import Vapor

/// A loopback receiver for the sandbox's webhook deliveries: records each request and answers as told.
private final class Receiver: @unchecked Sendable {
    struct Received: Sendable {
        var path: String
        var headers: HTTPHeaders
        var body: JSONValue
    }

    /// How to answer the n-th request (0-based): a status, and a delay before answering.
    typealias Answer = @Sendable (Int) -> (status: HTTPResponseStatus, delayMs: Int)

    private let lock = NSLock()
    private var received: [Received] = []
    private let answer: Answer
    private let stream: AsyncStream<Received>
    private let continuation: AsyncStream<Received>.Continuation

    init(answer: @escaping Answer = { _ in (.ok, 0) }) {
        self.answer = answer
        (stream, continuation) = AsyncStream<Received>.makeStream()
    }

    var all: [Received] { lock.withLock { received } }

    func routes(_ app: Application) {
        app.on(.POST, "**", body: .collect(maxSize: "64kb")) { [self] req async throws -> Response in
            let body = (try? JSONValue.parse(Data(req.body.data.map { Array($0.readableBytesView) } ?? []))) ?? .null
            let item = Received(path: req.url.path, headers: req.headers, body: body)
            let index = lock.withLock { () -> Int in
                received.append(item)
                return received.count - 1
            }
            continuation.yield(item)
            let (status, delay) = answer(index)
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            var headers = HTTPHeaders()
            if status == .found { headers.add(name: "Location", value: "/elsewhere") }
            return Response(status: status, headers: headers)
        }
    }

    /// The next delivery, or nil when none arrives within `seconds`.
    func next(within seconds: Double = 5) async -> Received? {
        await withTaskGroup(of: Received?.self) { group in
            group.addTask { [stream] in
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

@Suite("v2 webhooks: subscriptions, events and deliveries")
struct V2WebhookTests {
    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    private func subscribe(_ sandbox: SandboxHarness, token: String, _ body: [String: Any]) async throws -> String {
        let reply = try await sandbox.json(.POST, "/v2/webhooks", body, headers: bearer(token))
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.json["id"] as? String)
    }

    /// The subscription's events as the listing shows them, once `done` holds for them (bounded wait).
    private func events(_ sandbox: SandboxHarness, token: String, _ id: String, query: String = "",
                        until done: ([JSONValue]) -> Bool = { _ in true }) async throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let reply = try await sandbox.get("/v2/webhooks/\(id)/events?limit=100\(query)", token: token)
            #expect(reply.status == 200, "\(reply.text)")
            let items = try JSONValue.parse(reply.body)["_data"]?.array ?? []
            if done(items) || Date() > deadline { return items }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func subscriptionsAreCreatedListedChangedAndDeletedWithoutShowingSecrets() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token()
            let id = try await subscribe(sandbox, token: token, [
                "url": "https://hooks.example.com/personio", "description": "HR changes", "auth_type": "TOKEN",
                "token": "Bearer s3cret-hook-token", "enabled_events": ["person.updated", "employment.updated"]])
            let listed = try await sandbox.get("/v2/webhooks", token: token)
            #expect(listed.status == 200)
            #expect(listed.text.contains(id) && !listed.text.contains("s3cret-hook-token"))
            let single = try JSONValue.parse(try await sandbox.get("/v2/webhooks/\(id)", token: token).body)
            #expect(single["status"]?.string == "ENABLED" && single["auth_type"]?.string == "TOKEN")
            let disabled = try await sandbox.json(.PATCH, "/v2/webhooks/\(id)", ["status": "DISABLED"], headers: bearer(token))
            #expect(disabled.status == 200)
            #expect(disabled.json["status"] as? String == "DISABLED")
            #expect(try await sandbox.request(.DELETE, "/v2/webhooks/\(id)", headers: bearer(token)).status == 204)
            #expect(try await sandbox.get("/v2/webhooks/\(id)", token: token).status == 404)
            let other = try await sandbox.admin(.POST, "/sandbox/credentials", [
                "client_id": "other-tool", "client_secret": "other-secret-1", "name": "Other"])
            #expect(other.status == 201)
            let mine = try await subscribe(sandbox, token: token, ["url": "https://a.example.com/h", "enabled_events": ["person.created"]])
            let otherToken = try await sandbox.v2Token(clientId: "other-tool", clientSecret: "other-secret-1")
            #expect(try await sandbox.get("/v2/webhooks/\(mine)", token: otherToken).status == 404, "each credential sees its own")
        }
    }

    @Test(arguments: [
        (#"{"enabled_events":["person.created"]}"#, "url"),
        (#"{"url":"http://hooks.example.com/h","enabled_events":["person.created"]}"#, "url"),
        (#"{"url":"https://hooks.example.com/h"}"#, "enabled_events"),
        (#"{"url":"https://hooks.example.com/h","enabled_events":["person.renamed"]}"#, "enabled_events[0]"),
        (#"{"url":"https://hooks.example.com/h","enabled_events":["person.created"],"auth_type":"TOKEN"}"#, "token"),
        (#"{"url":"https://hooks.example.com/h","enabled_events":["person.created"],"auth_type":"CUSTOM"}"#, "custom_headers"),
        (#"{"url":"https://h.example.com/h","enabled_events":["person.created"],"auth_type":"CUSTOM","custom_headers":[{"name":"a","value":"1"},{"name":"b","value":"2"},{"name":"c","value":"3"},{"name":"d","value":"4"}]}"#,
         "custom_headers"),
        (#"{"url":"https://hooks.example.com/h","enabled_events":["person.created"],"secret":"x"}"#, "secret"),
        (#"{"url":"https://hooks.example.com/h","enabled_events":["person.created"],"status":"ON"}"#, "status"),
    ])
    func badSubscriptionsAre422sNamingTheField(body: String, field: String) async throws {
        try await withSandbox { sandbox in
            let reply = try await sandbox.request(.POST, "/v2/webhooks", headers: bearer(try await sandbox.v2Token()), body: Data(body.utf8),
                                                  contentType: "application/json")
            #expect(reply.status == 422, "\(reply.text)")
            #expect(try JSONValue.parse(reply.body)["errors"]?.array?.first?["_meta"]?["field"]?.string == field, "\(reply.text)")
        }
    }

    @Test func webhookRoutesNeedTheWebhookScopes() async throws {
        try await withSandbox { sandbox in
            let token = try await sandbox.v2Token(scope: "personio:persons:read personio:webhooks:read")
            #expect(try await sandbox.get("/v2/webhooks", token: token).status == 200)
            let refused = try await sandbox.json(.POST, "/v2/webhooks", ["url": "https://a.example.com/h", "enabled_events": ["person.created"]],
                                                 headers: bearer(token))
            #expect(refused.status == 403)
            #expect(refused.text.contains("personio:webhooks:write"))
        }
    }

    @Test func everyChangeEmitsItsDatalessEventWithEachAuthType() async throws {
        let receiver = Receiver()
        try await withLoopbackServer(receiver.routes) { url in
            try await withSandbox { sandbox in
                let token = try await sandbox.v2Token()
                _ = try await subscribe(sandbox, token: token, ["url": url + "/token", "auth_type": "TOKEN", "token": "Bearer hook-1",
                                                                "enabled_events": ["person.updated"]])
                _ = try await subscribe(sandbox, token: token, [
                    "url": url + "/custom", "auth_type": "CUSTOM", "custom_headers": [["name": "X-Hook-Key", "value": "k-2"]],
                    "enabled_events": ["employment.updated", "person.created", "employment.created", "absence-period.created"]])
                _ = try await subscribe(sandbox, token: token, ["url": url + "/none", "enabled_events": ["person.deleted"]])
                // the admin API renames someone: person.updated, with the token verbatim
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Neumann"]).status == 200)
                let renamed = try #require(await receiver.next())
                #expect(renamed.path == "/token")
                #expect(renamed.headers.first(name: .authorization) == "Bearer hook-1")
                #expect(renamed.body["event_name"]?.string == "person.updated")
                #expect(renamed.body["payload"]?["id"]?.string == "10004")
                #expect(renamed.body["payload"]?["last_name"] == nil, "events are dataless")
                #expect(renamed.body["company_id"]?.string != nil && renamed.body["occurred_at"]?.string != nil)
                // a v2 employment write: employment.updated, with the custom header
                let employmentID = try #require(try JSONValue.parse(try await sandbox.get("/v2/persons/10005", token: token).body)["employments"]?
                    .array?.first?["id"]?.string)
                #expect(try await sandbox.json(.PATCH, "/v2/persons/10005/employments/\(employmentID)", ["position": ["title": "Lead"]],
                                               headers: bearer(token)).status == 200)
                let moved = try #require(await receiver.next())
                #expect(moved.path == "/custom" && moved.headers.first(name: "X-Hook-Key") == "k-2")
                #expect(moved.headers.first(name: .authorization) == nil)
                #expect(moved.body["event_name"]?.string == "employment.updated" && moved.body["payload"]?["id"]?.string == employmentID)
                // a v1 write creates someone: person.created and employment.created
                let v1 = try await sandbox.json(.POST, "/v1/company/employees", ["employee": [
                    "email": "new.one@acme-gmbh.example", "first_name": "New", "last_name": "One"]],
                    headers: [("Authorization", "Bearer \(try await sandbox.token())")])
                #expect(v1.status == 200)
                let created = [await receiver.next(), await receiver.next()].compactMap { $0?.body["event_name"]?.string }
                #expect(Set(created) == ["person.created", "employment.created"])
                // a sick day through v1: absence-period.created
                #expect(try await sandbox.json(.POST, "/v1/company/time-offs", [
                    "employee_id": 10006, "time_off_type_id": 2, "start_date": "2031-01-06", "end_date": "2031-01-06"],
                    headers: [("Authorization", "Bearer \(try await sandbox.token())")]).status == 200)
                #expect(await receiver.next()?.body["event_name"]?.string == "absence-period.created")
                // the admin API deletes someone: person.deleted, no auth header at all
                #expect(try await sandbox.admin(.DELETE, "/sandbox/employees/10007").status == 204)
                let deleted = try #require(await receiver.next())
                #expect(deleted.path == "/none" && deleted.headers.first(name: .authorization) == nil)
                #expect(deleted.body["payload"]?["id"]?.string == "10007")
            }
        }
    }

    @Test func a5xxAndATimeoutAreRetriedA501IsNot() async throws {
        // request 0: 503; 1: too slow; 2: delivered; 3: 501 (final)
        let receiver = Receiver { index in
            switch index {
            case 0: (.serviceUnavailable, 0)
            case 1: (.ok, 600)
            case 2: (.ok, 0)
            default: (.notImplemented, 0)
            }
        }
        try await withLoopbackServer(receiver.routes) { url in
            try await withSandbox { sandbox in
                let token = try await sandbox.v2Token()
                #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["webhook_retry_schedule": "fast", "webhook_timeout_ms": 200]).status == 200)
                let id = try await subscribe(sandbox, token: token, ["url": url + "/hook", "enabled_events": ["person.updated"]])
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Erst"]).status == 200)
                for _ in 0..<3 { #expect(await receiver.next() != nil) }
                let first = try await events(sandbox, token: token, id) { $0.first?["delivery"]?["status"]?.string == "DELIVERED" }
                #expect(first.first?["delivery"]?["status"]?.string == "DELIVERED")
                #expect(first.first?["delivery"]?["attempts"]?.int == 3, "a 503, a timeout, then delivered")
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Zweit"]).status == 200)
                #expect(await receiver.next() != nil)
                let both = try await events(sandbox, token: token, id) { $0.count == 2 && $0[1]["delivery"]?["status"]?.string == "FAILED" }
                #expect(both[1]["delivery"]?["status"]?.string == "FAILED")
                #expect(both[1]["delivery"]?["attempts"]?.int == 1, "501 is not retried")
                #expect(both[1]["delivery"]?["last_status_code"]?.int == 501)
                #expect(receiver.all.count == 4)
            }
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        let receiver = Receiver { _ in (.found, 0) }
        try await withLoopbackServer(receiver.routes) { url in
            try await withSandbox { sandbox in
                let token = try await sandbox.v2Token()
                let id = try await subscribe(sandbox, token: token, ["url": url + "/moved", "enabled_events": ["person.updated"]])
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Umzug"]).status == 200)
                #expect(await receiver.next()?.path == "/moved")
                let items = try await events(sandbox, token: token, id) { $0.first?["delivery"]?["status"]?.string == "FAILED" }
                #expect(items.first?["delivery"]?["last_status_code"]?.int == 302)
                #expect(receiver.all.map(\.path) == ["/moved"], "the Location was not requested")
            }
        }
    }

    @Test func theEventsListingFiltersAndEffectiveDatesEmitStartedAndTerminated() async throws {
        // deliveries go to a loopback receiver: tests send nothing beyond this machine
        let receiver = Receiver()
        try await withLoopbackServer(receiver.routes) { url in
            try await withSandbox { sandbox in
                let token = try await sandbox.v2Token()
                let id = try await subscribe(sandbox, token: token, [
                    "url": url + "/h", "status": "ENABLED",
                    "enabled_events": ["person.created", "employment.started", "employment.terminated", "person.updated"]])
                #expect(try await sandbox.get("/v2/webhooks/\(id)/events", token: token).status == 200)  // the sandbox notes today
                let tomorrow = ISO8601DateFormatter.string(from: sandbox.clock.now.addingTimeInterval(86_400),
                                                           timeZone: .init(identifier: "Europe/Berlin")!,
                                                           formatOptions: [.withFullDate])
                let hired = try await sandbox.admin(.POST, "/sandbox/employees", [
                    "first_name": "Tomo", "last_name": "Rrow", "email": "tomo@acme-gmbh.example", "hire_date": tomorrow])
                let person = try #require(hired.json["id"] as? Int)
                #expect(try await sandbox.admin(.POST, "/sandbox/employees/10008/terminate", ["termination_date": tomorrow]).status == 200)
                var names = try await events(sandbox, token: token, id).compactMap { $0["event_name"]?.string }
                #expect(names.contains("person.created") && !names.contains("employment.started") && !names.contains("employment.terminated"))
                sandbox.clock.advance(by: 86_400)
                let fresh = try await sandbox.v2Token()  // the first token has just expired
                let after = try await events(sandbox, token: fresh, id)
                names = after.compactMap { $0["event_name"]?.string }
                #expect(after.contains { $0["event_name"]?.string == "employment.started" && $0["payload"]?["person_id"]?.string == String(person) })
                #expect(after.contains { $0["event_name"]?.string == "employment.terminated" && $0["payload"]?["person_id"]?.string == "10008" })
                let started = try await events(sandbox, token: fresh, id, query: "&event_name=employment.started")
                #expect(started.count == 1)
                let later = try await events(sandbox, token: fresh, id, query: "&occurred_at.gte=2099-01-01T00:00:00Z")
                #expect(later.isEmpty)
            }
        }
    }

    @Test func switchesSilenceAttributesAndDuplicateDeliveries() async throws {
        let receiver = Receiver()
        try await withLoopbackServer(receiver.routes) { url in
            try await withSandbox { sandbox in
                let token = try await sandbox.v2Token()
                #expect(try await sandbox.admin(.PUT, "/sandbox/faults", ["webhook_silent_attributes": ["position"],
                                                                          "webhook_duplicate": true]).status == 200)
                let id = try await subscribe(sandbox, token: token, ["url": url + "/h", "enabled_events": ["employment.updated", "person.updated"]])
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["position": "Quiet change"]).status == 200)
                #expect(try await sandbox.admin(.PATCH, "/sandbox/employees/10004", ["last_name": "Laut"]).status == 200)
                let first = try #require(await receiver.next()), second = try #require(await receiver.next())
                #expect(first.body["event_name"]?.string == "person.updated")
                #expect(first.body["meta"]?["event_id"] == second.body["meta"]?["event_id"], "the same event twice")
                let listed = try await events(sandbox, token: token, id)
                #expect(listed.compactMap { $0["event_name"]?.string } == ["person.updated"], "no event for the silenced position")
            }
        }
    }
}

private extension ISO8601DateFormatter {
    static func string(from date: Date, timeZone: TimeZone, formatOptions: ISO8601DateFormatter.Options) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = formatOptions
        return formatter.string(from: date)
    }
}
