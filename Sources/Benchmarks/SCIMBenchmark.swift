import AsyncHTTPClient
import Fluent
import Foundation
import Hub
import NIOCore

/// The first provisioning of a company into a local SCIM 2.0 server (`scim2-server`, see
/// `scripts/start-scim.sh`): people per second, and how much CPU Rollcall itself used meanwhile.
struct SCIMBenchmark {
    let binary: String

    func run(employees: Int) async throws {
        guard let server = ProcessInfo.processInfo.environment["ROLLCALL_TEST_SCIM_URL"], !server.isEmpty else {
            throw BenchmarkError("set ROLLCALL_TEST_SCIM_URL: eval \"$(bash scripts/start-scim.sh)\"")
        }
        let token = ProcessInfo.processInfo.environment["ROLLCALL_TEST_SCIM_TOKEN"] ?? "rollcall-test-scim"
        let scimBase = "\(server)/bench\(UUID().uuidString.prefix(8).lowercased())/v2"
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
            let seeded = try await Demo.seed(on: hub.app.db, vault: hub.vault, sandboxBaseURL: sandbox.baseURL, clientId: "bench",
                                             clientSecret: "bench-secret", apiToken: "rc_bench_token_000000", presets: [])
            let body: [String: Any] = ["source_id": seeded.sourceID.uuidString, "preset": "service-desk", "target": "scim",
                                       "scim": ["base_url": scimBase, "token": token]]
            let connection = try await Self.post(http, "http://127.0.0.1:\(port)/api/v1/connections", body, what: "the scim connection")
            guard let id = (connection["id"] as? String).flatMap(UUID.init(uuidString:)) else {
                throw BenchmarkError("the scim connection has no id: \(connection)")
            }

            // Listing and planning alone (a dry run never calls the app), then the real first sync.
            let dryStart = Date()
            _ = try await hub.runner.run(connectionID: id, full: true, dryRun: true)
            let dry = Date().timeIntervalSince(dryStart)
            let cpuBefore = CPUTime.seconds()
            let serverPort = URL(string: server)?.port.map(String.init) ?? ""
            let serverBefore = Self.serverCPUSeconds(port: serverPort)
            let start = Date()
            let report = try await hub.runner.run(connectionID: id, full: true)
            let elapsed = Date().timeIntervalSince(start)
            let cpu = CPUTime.seconds() - cpuBefore
            let serverCPU = Self.serverCPUSeconds(port: serverPort).flatMap { after in serverBefore.map { after - $0 } }
            let created = report.counts["create"] ?? 0
            let provisioning = max(elapsed - dry, 0.001)
            print(String(format: "first sync of %d employees into scim2-server: %.2f s (%d created, %d failed); listing and planning alone %.2f s",
                         employees, elapsed, created, report.counts["failed"] ?? 0, dry))
            print(String(format: "provisioning: %.0f people/s; Rollcall's CPU %.2f s over %.2f s = %.0f %% of one core%@",
                         Double(created) / provisioning, cpu, elapsed, cpu / elapsed * 100,
                         serverCPU.map { String(format: "; scim2-server's CPU %.2f s = %.0f %% of one core", $0, $0 / elapsed * 100) } ?? ""))
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

    /// CPU time of the local scim2-server process on `port`, when one is found in /proc.
    static func serverCPUSeconds(port: String) -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in entries {
            guard let pid = Int32(pid), let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  command.contains("scim2-server"), command.contains("--port\u{0}\(port)\u{0}") else { continue }
            return CPUTime.seconds(ofProcess: pid)
        }
        return nil
    }
}
