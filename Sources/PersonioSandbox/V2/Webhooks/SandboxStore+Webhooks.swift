import Foundation
import PersonioAPI
import SyncEngine

/// v2 webhooks: subscriptions per credential, events emitted for every change (admin API, v1 and v2
/// writes) to each enabled subscription that asked for them, and their deliveries' state.
extension SandboxStore {
    static let eventRetention: TimeInterval = 30 * 86_400

    // MARK: Subscriptions

    func createWebhook(clientId: String, input: WebhookInput) throws(V2Failure) -> WebhookSubscription {
        guard let url = input.url else { throw .invalidField("url", "url is required.") }
        guard let events = input.enabledEvents else { throw .invalidField("enabled_events", "enabled_events is required.") }
        let current = now
        let subscription = WebhookSubscription(
            id: UUID().uuidString.lowercased(), clientId: clientId, url: url, description: input.description ?? nil,
            status: input.status ?? .ENABLED, authType: input.authType ?? .NONE, token: input.token ?? nil,
            customHeaders: input.customHeaders ?? [], enabledEvents: events, createdAt: current, updatedAt: current)
        try WebhookInput.checkAuth(subscription)
        company.webhooks.append(subscription)
        persistQuietly()
        return subscription
    }

    func webhooks(clientId: String) -> [WebhookSubscription] {
        company.webhooks.filter { $0.clientId == clientId }
    }

    func webhook(clientId: String, id: String) throws(V2Failure) -> WebhookSubscription {
        guard let found = company.webhooks.first(where: { $0.id == id.lowercased() && $0.clientId == clientId }) else { throw .notFound() }
        return found
    }

    func updateWebhook(clientId: String, id: String, input: WebhookInput) throws(V2Failure) -> WebhookSubscription {
        guard let index = company.webhooks.firstIndex(where: { $0.id == id.lowercased() && $0.clientId == clientId }) else {
            throw .notFound()
        }
        var subscription = company.webhooks[index]
        if let url = input.url { subscription.url = url }
        if let description = input.description { subscription.description = description }
        if let status = input.status { subscription.status = status }
        if let authType = input.authType { subscription.authType = authType }
        if let token = input.token { subscription.token = token }
        if let headers = input.customHeaders { subscription.customHeaders = headers }
        if let events = input.enabledEvents { subscription.enabledEvents = events }
        try WebhookInput.checkAuth(subscription)
        subscription.updatedAt = now
        company.webhooks[index] = subscription
        persistQuietly()
        return subscription
    }

    func deleteWebhook(clientId: String, id: String) throws(V2Failure) {
        guard let index = company.webhooks.firstIndex(where: { $0.id == id.lowercased() && $0.clientId == clientId }) else {
            throw .notFound()
        }
        let removed = company.webhooks.remove(at: index)
        webhookEvents.removeAll { $0.subscriptionId == removed.id && $0.state == .PENDING }
        persistQuietly()
    }

    /// `GET /v2/webhooks/{id}/events`: what was emitted to the subscription (30 days), newest last.
    func webhookEventsPage(clientId: String, id: String, query: [(String, String)], origin: String) throws(V2Failure) -> [UInt8] {
        let subscription = try webhook(clientId: clientId, id: id)
        checkEffectiveDates()
        let (paging, filters) = try Self.split(query, filters: ["event_name", "occurred_at.gte", "occurred_at.lte"], maximum: 100)
        var tests: [(WebhookEvent) -> Bool] = [{ $0.subscriptionId == subscription.id }]
        for (name, value) in filters {
            if name == "event_name" {
                let names = Set(value.split(separator: ",").map(String.init))
                tests.append { names.contains($0.name) }
            } else {
                let instant = try PersonFilter.instant(name, value, timeZone: configuration.timeZone)
                tests.append(name.hasSuffix("gte") ? { $0.occurredAt >= instant } : { $0.occurredAt <= instant })
            }
        }
        let matching = webhookEvents.filter { event in tests.allSatisfy { $0(event) } }
        let start = paging.after.flatMap { after in matching.firstIndex { $0.id == after }.map { $0 + 1 } } ?? 0
        let page = Array(matching.dropFirst(start).prefix(paging.limit))
        let links = V2Links(origin: origin, path: "/v2/webhooks/\(subscription.id)/events", filters: filters)
        let next = matching.count > start + paging.limit
            ? page.last.map { nextLink(links, cursor: V2Paging.cursor(after: $0.id), repeating: paging.cursor, limit: paging.limit) } : nil
        let companyID = Self.companyID
        return V2Page(items: page, selfHref: links.href(cursor: paging.cursor, limit: paging.limit), nextHref: next).render { event, json in
            json.beginObject()
            json.key("id"); json.string(event.id)
            Self.writeEventBody(event, companyID: companyID, into: &json)
            json.key("delivery")
            json.beginObject()
            json.key("status"); json.string(event.state.rawValue)
            json.key("attempts"); json.int(event.attempts)
            if let status = event.lastStatus { json.key("last_status_code"); json.int(status) }
            if let error = event.lastError { json.key("last_error"); json.string(error) }
            json.endObject()
            json.endObject()
        }
    }

    // MARK: Emitting

    static let companyID = "4711"

    /// Records `name` for every enabled subscription that asked for it and wakes the dispatcher.
    func emit(_ name: String, payload: [(String, String)]) {
        let current = now
        let subscribers = company.webhooks.filter { $0.status == .ENABLED && $0.enabledEvents.contains(name) }
        for subscription in subscribers {
            webhookEvents.append(WebhookEvent(id: UUID().uuidString.lowercased(), subscriptionId: subscription.id, name: name,
                                              occurredAt: current, payload: payload,
                                              dueAt: Date().addingTimeInterval(Double(faults.webhookDelayMs) / 1000)))
        }
        let cutoff = current.addingTimeInterval(-Self.eventRetention)
        if let first = webhookEvents.first, first.occurredAt < cutoff { webhookEvents.removeAll { $0.occurredAt < cutoff } }
        if !subscribers.isEmpty { webhookWake?.yield() }
    }

    /// The events a change to an employee's attributes sends: `person.updated` for the person's own
    /// attributes, `employment.updated` for the employment's, `employment.terminated` when a
    /// termination takes effect today or earlier; attributes silenced by the switch send nothing.
    func emitChanges(of employee: SandboxEmployee, changed: Set<String>) {
        let audible = changed.subtracting(faults.webhookSilentAttributes)
        let personID = String(employee.id)
        let employmentID = PersonRenderer.employmentID(of: employee.id)
        if audible.contains(where: { PersonRenderer.personKeys.contains($0) || $0.hasPrefix("dynamic_") }) {
            emit("person.updated", payload: [("id", personID)])
        }
        if audible.contains(where: { PersonRenderer.employmentKeys.contains($0) }) {
            emit("employment.updated", payload: [("id", employmentID), ("person_id", personID)])
        }
        if changed.contains("termination_date"), let date = employee.terminationDate, date <= today {
            emit("employment.terminated", payload: [("id", employmentID), ("person_id", personID)])
        }
    }

    func emitCreated(_ employee: SandboxEmployee) {
        emit("person.created", payload: [("id", String(employee.id))])
        emit("employment.created", payload: [("id", PersonRenderer.employmentID(of: employee.id)), ("person_id", String(employee.id))])
    }

    func emitDeleted(personID: Int) {
        emit("employment.deleted", payload: [("id", PersonRenderer.employmentID(of: personID)), ("person_id", String(personID))])
        emit("person.deleted", payload: [("id", String(personID))])
    }

    func emitAbsence(_ name: String, _ timeOff: TimeOff) {
        emit(name, payload: [("id", timeOff.periodID), ("person_id", String(timeOff.employeeId))])
    }

    /// `employment.started` and `employment.terminated` for the days that began since the last
    /// check, by the sandbox's clock (start and termination dates that have just taken effect).
    func checkEffectiveDates() {
        let current = today
        guard let last = effectiveDatesCheckedThrough else { effectiveDatesCheckedThrough = current; return }
        guard last < current else { return }
        effectiveDatesCheckedThrough = current
        for employee in company.employees {
            let payload = [("id", PersonRenderer.employmentID(of: employee.id)), ("person_id", String(employee.id))]
            if let hire = employee.hireDate, hire > last, hire <= current { emit("employment.started", payload: payload) }
            if let end = employee.terminationDate, end > last, end <= current { emit("employment.terminated", payload: payload) }
        }
    }

    // MARK: Delivering

    func setWebhookWake(_ continuation: AsyncStream<Void>.Continuation) {
        webhookWake = continuation
    }

    struct Delivery: Sendable {
        var eventID: String
        var url: String
        var headers: [(String, String)]
        var body: [UInt8]
        var timeoutMs: Int
        var copies: Int
    }

    /// Marks the due deliveries as in flight and returns them with what to send.
    func takeDueDeliveries(at instant: Date) -> (due: [Delivery], nextDue: Date?) {
        checkEffectiveDates()
        var due: [Delivery] = []
        let subscriptions = Dictionary(company.webhooks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for index in webhookEvents.indices where webhookEvents[index].state == .PENDING && !webhookEvents[index].inFlight {
            let event = webhookEvents[index]
            guard event.dueAt <= instant else { continue }
            guard let subscription = subscriptions[event.subscriptionId], subscription.status == .ENABLED else {
                webhookEvents[index].state = .FAILED
                webhookEvents[index].lastError = "the subscription was disabled or deleted"
                continue
            }
            webhookEvents[index].inFlight = true
            var headers = [("Content-Type", "application/json"), ("User-Agent", "Personio-Webhooks (rollcall-sandbox)")]
            switch subscription.authType {
            case .TOKEN: headers.append(("Authorization", subscription.token ?? ""))
            case .CUSTOM: headers += subscription.customHeaders.map { ($0.name, $0.value) }
            case .NONE: break
            }
            var json = JSONWriter()
            json.beginObject()
            Self.writeEventBody(event, companyID: Self.companyID, into: &json)
            json.endObject()
            due.append(Delivery(eventID: event.id, url: subscription.url, headers: headers, body: json.bytes,
                                timeoutMs: faults.webhookTimeoutMs, copies: faults.webhookDuplicate ? 2 : 1))
        }
        let nextDue = webhookEvents.filter { $0.state == .PENDING && !$0.inFlight }.map(\.dueAt).min()
        return (due, nextDue)
    }

    /// Records one attempt: 2xx delivers; a timeout, a transport error or a 5xx other than 501 is
    /// retried on the schedule; anything else (a 3xx is not followed, a 4xx, 501) fails for good.
    func recordDelivery(eventID: String, status: Int?, error: String?, at instant: Date) {
        guard let index = webhookEvents.firstIndex(where: { $0.id == eventID }) else { return }
        webhookEvents[index].inFlight = false
        webhookEvents[index].attempts += 1
        webhookEvents[index].lastStatus = status
        webhookEvents[index].lastError = error
        if let status, (200..<300).contains(status) {
            webhookEvents[index].state = .DELIVERED
            return
        }
        let retryable = status == nil || (status.map { (500..<600).contains($0) && $0 != 501 } ?? false)
        let delays: [Double] = faults.webhookRetrySchedule == .real
            ? [60, 300, 900, 3600, 10_800, 21_600, 43_200, 86_400, 86_400]
            : (0..<9).map { 0.05 * Double(1 << $0) }
        let retry = webhookEvents[index].attempts - 1
        guard retryable, retry < delays.count else {
            webhookEvents[index].state = .FAILED
            return
        }
        webhookEvents[index].dueAt = instant.addingTimeInterval(delays[retry])
    }

    /// The event body Personio sends: dataless, `{"company_id","event_name","occurred_at","payload":{…},"meta":{…}}`.
    static func writeEventBody(_ event: WebhookEvent, companyID: String, into json: inout JSONWriter) {
        json.key("company_id"); json.string(companyID)
        json.key("event_name"); json.string(event.name)
        json.key("occurred_at"); json.utcTimestamp(event.occurredAt)
        json.key("payload")
        json.beginObject()
        for (key, value) in event.payload { json.key(key); json.string(value) }
        json.endObject()
        json.key("meta")
        json.beginObject()
        json.key("event_id"); json.string(event.id)
        json.key("subscription_id"); json.string(event.subscriptionId)
        json.endObject()
    }
}
