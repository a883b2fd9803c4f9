import AsyncHTTPClient
import Fluent
import Foundation
import Hub
import NIOCore
import Provisioning

/// The first provisioning of a company into local SCIM 2.0 servers (`scim2-server` and
/// django-scim2, see `scripts/start-scim.sh`): people per second, requests per person, how much CPU
/// Rollcall itself used meanwhile; then a second run with nothing changed and what it asked the app.
struct SCIMBenchmark {
    let binary: String

    struct Server: Sendable {
        var name: String
        var variable: String
        /// After the server's URL and a tenant.
        var suffix: String
        /// The compatibility preset the connection needs there (django-scim2's stock adapter fails PATCH of a whole user).
        var preset: String?
        /// How to find the server's process in /proc.
        var process: String
    }

    static let servers = [
        Server(name: "scim2-server", variable: "ROLLCALL_TEST_SCIM_URL", suffix: "/v2", preset: nil, process: "scim2-server"),
        Server(name: "django-scim2", variable: "ROLLCALL_TEST_SCIM_DJANGO_URL", suffix: "/scim/v2", preset: "put_only", process: "runserver"),
    ]

    func run(employees: Int, only: String?) async throws {
        let chosen = Self.servers.filter { only == nil || $0.name == only }
        guard !chosen.isEmpty else { throw BenchmarkError("--server is scim2-server or django-scim2") }
        for server in chosen {
            guard let url = ProcessInfo.processInfo.environment[server.variable], !url.isEmpty else {
                throw BenchmarkError("set \(server.variable): eval \"$(bash scripts/start-scim.sh)\"")
            }
            try await run(employees: employees, server: server, url: url)
        }
    }

    func run(employees: Int, server: Server, url: String) async throws {
        let token = ProcessInfo.processInfo.environment["ROLLCALL_TEST_SCIM_TOKEN"] ?? "rollcall-test-scim"
        let scimBase = "\(url)/bench\(UUID().uuidString.prefix(8).lowercased())\(server.suffix)"
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        let port = 18_900 + Int.random(in: 0..<90)
        let configuration = try HubConfiguration(environment: ["ROLLCALL_DATABASE_URL": "sqlite://:memory:", "ROLLCALL_PORT": String(port),
                                                               "ROLLCALL_OUTBOUND_ALLOW": BenchmarkHub.outboundAllow],
                                                 requireMasterKey: false)
        let hub = try await HubServer(configuration: configuration, masterKey: Vault.randomKey())
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await hub.migrate()
            _ = try await hub.start(scheduling: false)
            let seeded = try await Demo.seed(on: hub.app.db, runner: hub.runner, sandboxBaseURL: sandbox.baseURL, clientID: "bench",
                                             clientSecret: "bench-secret", apiToken: "rc_bench_token_000000", presets: [])
            var settings: [String: Any] = ["base_url": scimBase, "token": token]
            settings["compatibility"] = server.preset.map { ["preset": $0] }
            let body: [String: Any] = ["source_id": seeded.sourceID.uuidString, "preset": "service-desk", "target": "scim", "scim": settings]
            let connection = try await Self.post(http, "http://127.0.0.1:\(port)/api/v1/connections", body, what: "the scim connection")
            guard let id = (connection["id"] as? String).flatMap(UUID.init(uuidString:)) else {
                throw BenchmarkError("the scim connection has no id: \(connection)")
            }
            var runner = hub.runner
            let counting = RequestCounter(runner.scimTransport)
            runner.scimTransport = counting

            // Listing and planning alone (a dry run never calls the app), then the real first sync.
            let dryStart = Date()
            _ = try await runner.run(connectionID: id, full: true, dryRun: true)
            let dry = Date().timeIntervalSince(dryStart)
            let cpuBefore = CPUTime.seconds()
            let serverPort = URL(string: url)?.port.map(String.init) ?? ""
            let serverBefore = Self.serverCPUSeconds(process: server.process, port: serverPort)
            let start = Date()
            let report = try await runner.run(connectionID: id, full: true)
            let elapsed = Date().timeIntervalSince(start)
            let cpu = CPUTime.seconds() - cpuBefore
            let serverCPU = Self.serverCPUSeconds(process: server.process, port: serverPort).flatMap { after in serverBefore.map { after - $0 } }
            let created = report.counts["create"] ?? 0
            let requests = counting.take()
            let provisioning = max(elapsed - dry, 0.001)
            print(String(format: "%@: first sync of %d employees: %.2f s (%d created, %d failed, status %@); listing and planning alone %.2f s",
                         server.name, employees, elapsed, created, report.counts["failed"] ?? 0, report.status.rawValue, dry))
            print(String(format: "%@: provisioning %.0f people/s; %d requests to the app = %.2f per person "
                                 + "(%@); Rollcall's CPU %.2f s = %.0f %% of one core%@",
                         server.name, Double(created) / provisioning, requests.total, Double(requests.total) / Double(max(created, 1)),
                         requests.byMethod, cpu, cpu / elapsed * 100,
                         serverCPU.map { String(format: "; the server's CPU %.2f s = %.0f %% of one core", $0, $0 / elapsed * 100) } ?? ""))
            // the same again with nothing changed in Personio: a full listing, then nothing for the app
            let again = try await runner.run(connectionID: id, full: true)
            let idle = counting.take()
            print(String(format: "%@: second run, nothing changed: %@, %d operations, %d requests to the app",
                         server.name, again.status.rawValue, again.counts.values.reduce(0, +), idle.total))
            try await http.shutdown()
            try await hub.shutdown()
        } catch {
            try? await http.shutdown()
            try? await hub.shutdown()
            throw error
        }
    }

    /// POSTs JSON to the hub with the benchmark's API token; the created object.
    static func post(_ http: HTTPClient, _ url: String, _ body: [String: Any], what: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer rc_bench_token_000000")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let reply = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created,
              let object = try JSONSerialization.jsonObject(with: Data(reply.readableBytesView)) as? [String: Any] else {
            throw BenchmarkError("creating \(what) failed: \(response.status) \(String(buffer: reply))")
        }
        return object
    }

    /// CPU time of the local server process listening on `port` (its command line names it), when found in /proc.
    static func serverCPUSeconds(process: String, port: String) -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in entries {
            guard let pid = Int32(pid), let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  command.contains(process), command.contains(port) else { continue }
            return CPUTime.seconds(ofProcess: pid)
        }
        return nil
    }
}

/// Counts what a run sends to the app, by method.
final class RequestCounter: SCIMTransport, @unchecked Sendable {
    let inner: any SCIMTransport
    private let lock = NSLock()
    private var methods: [String: Int] = [:]

    init(_ inner: any SCIMTransport) {
        self.inner = inner
    }

    /// The requests since the last call: how many, and per method.
    func take() -> (total: Int, byMethod: String) {
        lock.withLock {
            defer { methods = [:] }
            let total = methods.values.reduce(0, +)
            return (total, methods.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
    }

    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        lock.withLock { methods[method, default: 0] += 1 }
        return try await inner.send(method: method, url: url, headers: headers, body: body, timeout: timeout)
    }
}
