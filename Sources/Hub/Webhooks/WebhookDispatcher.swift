import AsyncHTTPClient
import Fluent
import FluentSQL
import Foundation
import Logging
import NIOCore
import Provisioning

/// Delivers the webhook outbox: at least once, signed per Standard Webhooks, a person's events in
/// order (and a connection's run and connection events in order), retried with backoff (5 s, 30 s,
/// 2 min, 10 min, 1 h, 6 h, then every 12 h) and dead-lettered after three days or on a 4xx other than
/// 408 and 429. Several instances may share the outbox: a delivery is claimed for a minute before it
/// is sent (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
public final class WebhookDispatcher: Sendable {
    let database: any Database
    let vault: Vault
    /// How deliveries leave the hub (checked at every delivery when through the policy).
    let http: OutboundHTTP
    /// Where endpoints may lead; nil: not checked (tests with their own loopback receivers).
    let now: @Sendable () -> Date
    let logger: Logger
    /// Deliveries in flight at once.
    let concurrency: Int
    /// Deliveries claimed per pass.
    let batch: Int
    let timeout: TimeAmount

    public static let backoff: [TimeInterval] = [5, 30, 120, 600, 3_600, 21_600]
    public static let laterBackoff: TimeInterval = 43_200
    public static let giveUpAfter: TimeInterval = 3 * 86_400

    public init(database: any Database, vault: Vault, http: OutboundHTTP, now: @escaping @Sendable () -> Date,
                concurrency: Int = 16, batch: Int = 200, timeout: TimeAmount = .seconds(10),
                logger: Logger = Logger(label: "rollcall.webhooks")) {
        self.database = database
        self.vault = vault
        self.http = http
        self.now = now
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.batch = batch
        self.timeout = timeout
    }

    /// Attempts a delivery answered 404 gets (about 12 minutes with the backoff): a receiver in the
    /// middle of a deploy answers 404 for a while; one that keeps answering it is dead-lettered.
    static let notFoundAttempts = 5

    static func secretContext(_ endpointID: UUID) -> String { "webhook:\(endpointID.uuidString):secret" }

    /// When the attempt after `attempts` failed ones is due, or nil once it is time to give up.
    static func nextAttempt(after attempts: Int, created: Date, now: Date) -> Date? {
        let wait = attempts <= backoff.count ? backoff[attempts - 1] : laterBackoff
        let next = now.addingTimeInterval(wait)
        return next.timeIntervalSince(created) > giveUpAfter ? nil : next
    }

    /// Runs passes until cancelled; sleeps `interval` when a pass found nothing to do.
    public func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                if try await deliverDue() == 0 { try? await Task.sleep(for: interval) }
            } catch {
                logger.error("webhook pass failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: claims due deliveries and sends them; returns how many were attempted.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return 0 }
        let deliveries = try await WebhookDeliveryModel.query(on: database).filter(\.$id ~~ claimed).sort(\.$id).all()
        let endpointIDs = Set(deliveries.map { $0.$endpoint.id })
        let endpoints = try await WebhookEndpointModel.query(on: database).filter(\.$id ~~ endpointIDs).all()
        var signers: [UUID: [WebhookSigner]] = [:]
        for endpoint in endpoints {
            guard let id = endpoint.id else { continue }
            var list: [WebhookSigner] = []
            if let secret = try? vault.open(endpoint.sealedSecret, context: Self.secretContext(id)) { list += [try WebhookSigner(secret: secret)] }
            if let sealed = endpoint.sealedPreviousSecret, let until = endpoint.previousExpiresAt, until > now(),
               let secret = try? vault.open(sealed, context: Self.secretContext(id)) {
                list += [try WebhookSigner(secret: secret)]
            }
            signers[id] = list
        }
        let urls = Dictionary(uniqueKeysWithValues: endpoints.compactMap { endpoint in endpoint.id.map { ($0, endpoint.url) } })

        // Send with at most `concurrency` in flight.
        let jobs = deliveries.map { delivery in
            Job(sequence: delivery.id ?? 0, eventID: delivery.eventID, url: urls[delivery.$endpoint.id], payload: delivery.payload,
                signers: signers[delivery.$endpoint.id] ?? [])
        }
        var results: [Int: Result] = [:]
        await withTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            func add() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                group.addTask { (job.sequence, await self.send(job)) }
            }
            for _ in 0..<min(concurrency, jobs.count) { add() }
            for await (sequence, result) in group {
                results[sequence] = result
                add()
            }
        }
        try await record(deliveries, results: results)
        return deliveries.count
    }

    struct Job: Sendable {
        var sequence: Int
        var eventID: String
        var url: String?
        var payload: String
        var signers: [WebhookSigner]
    }

    enum Result: Sendable {
        case delivered(status: Int)
        /// `final`: do not try again (a 4xx other than 408/429, or no endpoint).
        case failed(status: Int?, error: String, final: Bool)
    }

    func send(_ job: Job) async -> Result {
        guard let url = job.url, !job.signers.isEmpty else {
            return .failed(status: nil, error: "the endpoint or its secret is gone", final: true)
        }
        let body = Data(job.payload.utf8)
        let timestamp = Int(now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Rollcall-Webhooks")
        request.headers.add(name: "webhook-id", value: job.eventID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature",
                            value: job.signers.map { $0.signature(id: job.eventID, timestamp: timestamp, body: body) }.joined(separator: " "))
        request.body = .bytes(ByteBuffer(data: body))
        do {
            // checked at every delivery: the host's address may have changed since the endpoint was made
            let client: HTTPClient
            do { client = try await http.client(for: url, purpose: .webhook) } catch {
                return .failed(status: nil, error: "not sent: \(error.description)", final: true)
            }
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            if (200...299).contains(status) { return .delivered(status: status) }
            // 404 is what many receivers answer while they deploy: retried `notFoundAttempts` times before it counts.
            let final = (400...499).contains(status) && ![404, 408, 429].contains(status)
            return .failed(status: status, error: "the endpoint answered HTTP \(status)", final: final)
        } catch {
            return .failed(status: nil, error: "the endpoint could not be reached: \(String("\(error)".prefix(200)))", final: false)
        }
    }

    private func record(_ deliveries: [WebhookDeliveryModel], results: [Int: Result]) async throws {
        let at = now()
        var delivered: [Int] = []
        var others: [WebhookDeliveryModel] = []
        for delivery in deliveries {
            guard let sequence = delivery.id, let result = results[sequence] else { continue }
            delivery.attempts += 1
            delivery.claimedUntil = nil
            switch result {
            case .delivered:
                delivered.append(sequence)
            case .failed(let status, let error, let final):
                delivery.lastStatus = status
                delivery.lastError = error
                let gone = status == 404 && delivery.attempts >= Self.notFoundAttempts
                if !final, !gone, let next = Self.nextAttempt(after: delivery.attempts, created: delivery.createdAt, now: at) {
                    delivery.nextAttemptAt = next
                } else {
                    delivery.status = .dead
                    logger.warning("webhook delivery dead-lettered", metadata: ["event": "\(delivery.eventID)", "error": "\(error)"])
                }
                others.append(delivery)
            }
        }
        let (done, rest) = (delivered, others)
        try await database.transaction { transaction in
            for chunk in done.chunks(of: 500) {
                try await WebhookDeliveryModel.query(on: transaction).filter(\.$id ~~ Array(chunk))
                    .set(\.$status, to: .delivered).set(\.$deliveredAt, to: at).set(\.$claimedUntil, to: nil)
                    .set(\.$lastStatus, to: nil).set(\.$lastError, to: nil).update()
            }
            // attempts of delivered rows: one more each
            if let sql = transaction as? any SQLDatabase {
                for chunk in done.chunks(of: 500) {
                    try await sql.update(WebhookDeliveryModel.schema).set(SQLIdentifier("attempts"), to: SQLRaw("attempts + 1"))
                        .where(SQLIdentifier("sequence"), .in, Array(chunk)).run()
                }
            }
            for delivery in rest { try await delivery.save(on: transaction) }
        }
    }

    struct Claim: Decodable {
        var sequence: Int
    }

    /// Claims due deliveries whose person has no earlier undelivered event; run and connection events
    /// (no person) are kept in order among themselves too (`connection.failed` before `connection.recovered`).
    func claim() async throws -> [Int] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let current = now()
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE OF d SKIP LOCKED" : ""
        let due = SQLQueryString("""
            SELECT d.sequence FROM webhook_deliveries d WHERE d.status = \(bind: "pending") \
            AND d.next_attempt_at <= \(bind: current) AND (d.claimed_until IS NULL OR d.claimed_until < \(bind: current)) \
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id \
            AND (e.personio_id = d.personio_id OR (e.personio_id IS NULL AND d.personio_id IS NULL)) \
            AND e.status = \(bind: "pending") AND e.sequence < d.sequence) \
            ORDER BY d.sequence LIMIT \(literal: batch)\(unsafeRaw: lock)
            """)
        return try await sql.raw("""
            UPDATE webhook_deliveries SET claimed_until = \(bind: current.addingTimeInterval(60)) \
            WHERE sequence IN (\(due)) AND (claimed_until IS NULL OR claimed_until < \(bind: current)) RETURNING sequence
            """).all(decoding: Claim.self).map(\.sequence)
    }
}
