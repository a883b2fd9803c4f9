import AsyncHTTPClient
import Fluent
import Foundation
import Hub
import NIOCore
import Vapor

/// The webhook outbox: a first sync of a company writes one `person.created` per person (plus
/// `run.completed`); then the dispatcher delivers them all to a local receiver that answers 200.
struct WebhookBenchmark {
    let binary: String

    func run(employees: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        let receiver = try await Application.make(.production)
        receiver.logger.logLevel = .error
        receiver.http.server.configuration.port = 0
        let counter = Counter()
        receiver.post("hook") { _ -> HTTPStatus in
            counter.increment()
            return .ok
        }
        try await receiver.server.start(address: nil)
        let receiverURL = "http://127.0.0.1:\(receiver.http.server.shared.localAddress?.port ?? 0)/hook"

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = 18_990 + Int.random(in: 0..<9)
        let configuration = try HubConfiguration(environment: [
            "ROLLCALL_DATABASE_URL": "sqlite://" + directory.appendingPathComponent("hub.sqlite").path, "ROLLCALL_PORT": String(port),
            "ROLLCALL_OUTBOUND_ALLOW": BenchmarkHub.outboundAllow,
        ], requireMasterKey: false)
        let hub = try await HubServer(configuration: configuration, masterKey: Vault.randomKey())
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await hub.migrate()
            _ = try await hub.start(scheduling: false)
            let seeded = try await Demo.seed(on: hub.app.db, runner: hub.runner, sandboxBaseURL: sandbox.baseURL, clientID: "bench",
                                             clientSecret: "bench-secret", apiToken: "rc_bench_token_000000", presets: [.timeTracking])
            let connection = seeded.connections[0].id
            _ = try await SCIMBenchmark.post(http, "http://127.0.0.1:\(port)/api/v1/connections/\(connection)/webhooks", ["url": receiverURL],
                                             what: "the webhook")

            let report = try await hub.runner.run(connectionID: connection, full: true)
            let events = (report.counts["create"] ?? 0) + 1
            let start = Date()
            var attempted = 0
            while true {
                let sent = try await hub.dispatcher.deliverDue()
                if sent == 0 { break }
                attempted += sent
            }
            let elapsed = Date().timeIntervalSince(start)
            print(String(format: "delivered %d webhook events (%d attempts, %d received) in %.2f s: %.0f events/s, signed, one request each",
                         events, attempted, counter.value, elapsed, Double(counter.value) / elapsed))
            try await http.shutdown()
            try await hub.shutdown()
            await receiver.server.shutdown()
            try await receiver.asyncShutdown()
        } catch {
            try? await http.shutdown()
            try? await hub.shutdown()
            await receiver.server.shutdown()
            try? await receiver.asyncShutdown()
            throw error
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
