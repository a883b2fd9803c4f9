import AsyncHTTPClient
import Fluent
import FluentPostgresDriver
import Foundation
import Hub
import NIOCore
import Vapor

/// `rollcall-bench fleet`: a vendor's whole customer base on one hub. Starts a sandbox (limits off) and
/// `--instances` `rollcall serve` processes on one database, creates `--workspaces` customer
/// workspaces through the API (a sandbox credential, a source and two connections each, both due every
/// minute), lets the first full syncs settle, then measures for `--minutes`: runs per connection per
/// minute, schedule lag percentiles, the hubs' CPU and memory, Personio requests per run and the
/// database's size.
struct FleetBenchmark {
    let binary: String
    var workspaces: Int
    var instances: Int
    var minutes: Double
    var warmup: Double
    var employees: Int
    var postgresURL: String?
    var concurrency: Int?

    static let adminToken = "bench-admin-token-0123456789abcdef"

    func run() async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await FleetDatabase(postgresURL: postgresURL, directory: directory)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var hubs: [HubProcess] = []
        do {
            let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let basePort = 19_000 + Int.random(in: 0..<500) * 4
            for number in 0..<instances {
                // the first migrates; the others start on a migrated database
                hubs.append(try await HubProcess.start(binary: binary, port: basePort + number, databaseURL: database.url, masterKey: key,
                                                       concurrency: concurrency, http: http))
            }
            print("fleet: \(instances) hub instance(s) on \(database.kind), sandbox with \(employees) employees, limits off; "
                  + "sync concurrency \(concurrency.map(String.init) ?? "default (\(Scheduler.defaultConcurrency))") per instance")
            let baseline = hubs.map { $0.memoryKB() ?? 0 }
            try await createCustomers(on: hubs[0], sandbox: sandbox, http: http)
            print(String(format: "waiting %.0f s for the first full syncs and a full minute of ticks…", warmup))
            try await Task.sleep(for: .seconds(warmup))
            try await measure(hubs, baseline: baseline, database: database, sandbox: sandbox, http: http)
        } catch {
            for hub in hubs { hub.stop() }
            try? await http.shutdown()
            try? await database.close()
            throw error
        }
        for hub in hubs { hub.stop() }
        try await http.shutdown()
        try await database.close()
    }

    /// N workspaces through the admin API, each with its own sandbox credential, a source and two
    /// connections (time tracking and service desk), eight customers at a time.
    private func createCustomers(on hub: HubProcess, sandbox: SandboxProcess, http: HTTPClient) async throws {
        let started = Date()
        let sandboxRoot = sandbox.baseURL.replacingOccurrences(of: "/v1", with: "")
        let (sandboxAPI, hubBase) = (sandbox.baseURL, hub.base)
        var done = 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<workspaces {
                if number >= 8 {
                    try await group.next()
                    done += 1
                    if done % 100 == 0 { print("  \(done) of \(workspaces) customers created") }
                }
                group.addTask {
                    let client = "customer-\(number)"
                    let secret = "secret-\(number)-0123456789"
                    _ = try await Self.call(http, .POST, sandboxRoot + "/sandbox/credentials", token: "bench-admin",
                                            ["client_id": client, "client_secret": secret, "name": "Customer \(number)"])
                    let created = try await Self.call(http, .POST, hubBase + "\(APIPath.workspaces)", token: Self.adminToken,
                                                      ["name": "Customer \(number)"])
                    guard let token = (created["token"] as? [String: Any])?["token"] as? String else {
                        throw BenchmarkError("creating a workspace answered no token: \(created)")
                    }
                    let source = try await Self.call(http, .POST, hubBase + "\(APIPath.sources)", token: token, [
                        "name": "Personio", "client_id": client, "client_secret": secret, "base_url": sandboxAPI,
                    ])
                    guard let sourceID = (source["source"] as? [String: Any])?["id"] as? String else {
                        throw BenchmarkError("creating a source answered no id: \(source)")
                    }
                    for preset in ["time-tracking", "service-desk"] {
                        _ = try await Self.call(http, .POST, hubBase + "\(APIPath.connections)", token: token,
                                                ["source_id": sourceID, "preset": preset, "target": "feed"])
                    }
                }
            }
            try await group.waitForAll()
        }
        print(String(format: "created %d workspaces, %d sources and %d connections through the API in %.1f s",
                     workspaces, workspaces, workspaces * 2, Date().timeIntervalSince(started)))
    }

    private func measure(_ hubs: [HubProcess], baseline: [Int], database: FleetDatabase, sandbox: SandboxProcess,
                         http: HTTPClient) async throws {
        let connections = Double(workspaces * 2)
        let before = try await hubs.asyncMap { try await $0.metrics(http) }
        let cpuBefore = hubs.map { $0.cpuSeconds() ?? 0 }
        let sandboxCPUBefore = sandbox.cpuSeconds() ?? 0
        let databaseCPUBefore = CPUTime.seconds(ofProcessesNamed: "postgres")
        let machineBefore = CPUTime.machine()
        let started = Date()
        print(String(format: "measuring for %.1f minutes…", minutes))
        try await Task.sleep(for: .seconds(minutes * 60))
        let elapsed = Date().timeIntervalSince(started)
        let after = try await hubs.asyncMap { try await $0.metrics(http) }
        let cpu = zip(hubs.map { $0.cpuSeconds() ?? 0 }, cpuBefore).map { $0 - $1 }
        let sandboxCPU = (sandbox.cpuSeconds() ?? 0) - sandboxCPUBefore
        let databaseCPU = CPUTime.seconds(ofProcessesNamed: "postgres") - databaseCPUBefore
        let machineAfter = CPUTime.machine()

        let runs = zip(after, before).map { $0.runs - $1.runs }
        let totalRuns = Double(runs.reduce(0, +))
        let failedRuns = zip(after, before).map { $0.failedRuns - $1.failedRuns }.reduce(0, +)
        let requests = zip(after, before).map { $0.personioRequests - $1.personioRequests }.reduce(0, +)
        var lagBuckets: [Double: Double] = [:]
        for (late, early) in zip(after, before) {
            for (bound, count) in late.lagBuckets { lagBuckets[bound, default: 0] += count - (early.lagBuckets[bound] ?? 0) }
        }
        let perMinute = totalRuns / connections / (elapsed / 60)
        print(String(format: "runs per connection per minute: %.3f  (%d runs of %d connections in %.0f s; %d failed)",
                     perMinute, Int(totalRuns), Int(connections), elapsed, failedRuns))
        print("runs per instance: " + runs.map(String.init).joined(separator: ", "))
        let quantiles = [0.5, 0.95, 0.99].map { MetricsText.quantile($0, of: lagBuckets) }
        let worst = after.map(\.recentLagMax).max() ?? 0
        print(String(format: "schedule lag (run start − due): p50 %.1f s, p95 %.1f s, p99 %.1f s, max %.1f s (max over each instance's last 5 min)",
                     quantiles[0], quantiles[1], quantiles[2], worst))
        let cpuTotal = cpu.reduce(0, +)
        print(String(format: "hub CPU: %@ of a core (per instance); %.1f ms CPU per run; sandbox CPU %.0f %% of a core",
                     cpu.map { String(format: "%.0f %%", $0 / elapsed * 100) }.joined(separator: ", "),
                     totalRuns > 0 ? cpuTotal / totalRuns * 1000 : 0, sandboxCPU / elapsed * 100))
        if postgresURL != nil {
            print(String(format: "PostgreSQL CPU (its processes on this machine): %.0f %% of a core; %.1f ms per run",
                         databaseCPU / elapsed * 100, totalRuns > 0 ? databaseCPU / totalRuns * 1000 : 0))
        }
        if let before = machineBefore, let after = machineAfter, after.total > before.total {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            print(String(format: "machine: %.0f %% of its %d cores busy", (after.busy - before.busy) / (after.total - before.total) * 100, cores))
        }
        print(String(format: "Personio requests per run: %.2f", totalRuns > 0 ? Double(requests) / totalRuns : 0))
        let memory = hubs.map { $0.memoryKB() ?? 0 }
        let growth = zip(memory, baseline).map { Double($0 - $1) }.reduce(0, +) / Double(max(workspaces, 1))
        print("hub memory (RSS): " + memory.map { String(format: "%.0f MB", Double($0) / 1024) }.joined(separator: ", ")
              + String(format: "; growth since start-up %.1f KB per workspace", growth))
        print("database size: " + (try await database.size()))
        if let health = try? await Self.call(http, .GET, hubs[0].base + "\(APIPath.hubHealth)", token: Self.adminToken, nil) {
            print("hub health: waiting \(health["waiting"] ?? "?"), running \(health["running"] ?? "?"), oldest waiting "
                  + "\(health["oldest_waiting_seconds"] ?? "?") s, instances \((health["instances"] as? [Any])?.count ?? 0)")
        }
    }

    /// A JSON request; the parsed answer object. Anything but 2xx throws with the body.
    static func call(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, token: String, _ body: [String: Any]?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let data = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw BenchmarkError("\(method) \(url): \(response.status.code) \(String(decoding: data, as: UTF8.self).prefix(300))")
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

/// One `rollcall serve` process.
final class HubProcess: Sendable {
    let process: Process
    let base: String

    private init(process: Process, base: String) {
        self.process = process
        self.base = base
    }

    static func start(binary: String, port: Int, databaseURL: String, masterKey: String, concurrency: Int?,
                      http: HTTPClient) async throws -> HubProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment
        environment["ROLLCALL_DATABASE_URL"] = databaseURL
        environment["ROLLCALL_MASTER_KEY"] = masterKey
        environment["ROLLCALL_PORT"] = String(port)
        environment["ROLLCALL_ADMIN_TOKEN"] = FleetBenchmark.adminToken
        environment["ROLLCALL_OUTBOUND_ALLOW"] = BenchmarkHub.outboundAllow
        environment["ROLLCALL_LOG_LEVEL"] = "warning"
        if let concurrency { environment["ROLLCALL_SYNC_CONCURRENCY"] = String(concurrency) }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let hub = HubProcess(process: process, base: "http://127.0.0.1:\(port)")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            guard process.isRunning else { throw BenchmarkError("rollcall serve on port \(port) exited with \(process.terminationStatus)") }
            if let response = try? await http.execute(HTTPClientRequest(url: hub.base + "/health"), timeout: .seconds(2)),
               response.status == .ok { return hub }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        throw BenchmarkError("rollcall serve on port \(port) did not answer /health within 120 s")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    func cpuSeconds() -> Double? { CPUTime.seconds(ofProcess: process.processIdentifier) }

    /// Resident memory in KB, from `/proc/<pid>/status`.
    func memoryKB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    func metrics(_ http: HTTPClient) async throws -> MetricsText {
        let response = try await http.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(30))
        return MetricsText(String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }
}

/// The figures the benchmark reads from a hub's `/metrics`.
struct MetricsText {
    var runs = 0
    var failedRuns = 0
    var personioRequests = 0
    /// Cumulative counts of the schedule lag histogram by upper bound (+Inf as infinity).
    var lagBuckets: [Double: Double] = [:]
    var recentLagMax = 0.0

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[parts.count - 1]) else { continue }
            let name = String(parts[0])
            if name.hasPrefix("rollcall_runs_total{"), name.contains(#"dry_run="false""#) {
                runs += Int(value)
                if name.contains(#"status="failed""#) { failedRuns += Int(value) }
            } else if name == "rollcall_personio_requests_total" {
                personioRequests = Int(value)
            } else if name.hasPrefix("rollcall_schedule_lag_seconds_bucket{"), let bound = name.split(separator: "\"").dropFirst().first {
                lagBuckets[bound == "+Inf" ? .infinity : Double(bound) ?? .infinity] = value
            } else if name == #"rollcall_schedule_lag_recent_seconds{quantile="1"}"# {
                recentLagMax = value
            }
        }
    }

    /// A quantile from cumulative histogram buckets, interpolated within its bucket.
    static func quantile(_ quantile: Double, of buckets: [Double: Double]) -> Double {
        let sorted = buckets.sorted { $0.key < $1.key }
        guard let total = sorted.last?.value, total > 0 else { return 0 }
        let rank = quantile * total
        var lower = 0.0
        var below = 0.0
        for (bound, count) in sorted {
            if count >= rank {
                guard bound.isFinite else { return lower }
                let inBucket = count - below
                return inBucket > 0 ? lower + (bound - lower) * (rank - below) / inBucket : bound
            }
            lower = bound.isFinite ? bound : lower
            below = count
        }
        return lower
    }
}

/// The database the hubs share: an SQLite file in the benchmark's directory, or a fresh PostgreSQL
/// database made (and dropped) on the server `--postgres` names.
final class FleetDatabase: @unchecked Sendable {
    let url: String
    let kind: String
    private let sqlitePath: String?
    private let admin: Application?
    private let name: String?

    init(postgresURL: String?, directory: URL) async throws {
        guard let postgresURL else {
            let path = directory.appendingPathComponent("hub.sqlite").path
            url = "sqlite://" + path
            kind = "SQLite"
            sqlitePath = path
            admin = nil
            name = nil
            return
        }
        let app = try await Application.make(.testing)
        app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: postgresURL)), as: .psql)
        let name = "rollcall_fleet_" + UUID().uuidString.prefix(8).lowercased()
        do {
            try await (app.db as? any SQLDatabase)?.raw("CREATE DATABASE \(ident: name)").run()
        } catch {
            try? await app.asyncShutdown()
            throw BenchmarkError("could not create a database on \(postgresURL): \(error)")
        }
        guard var components = URLComponents(string: postgresURL) else { throw BenchmarkError("--postgres is not a URL") }
        components.path = "/" + name
        url = components.string ?? postgresURL
        kind = "PostgreSQL"
        sqlitePath = nil
        admin = app
        self.name = name
    }

    func size() async throws -> String {
        if let sqlitePath {
            let bytes = [sqlitePath, sqlitePath + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
            return String(format: "%.1f MB (file and write-ahead log)", Double(bytes.reduce(0, +)) / 1e6)
        }
        guard let admin, let name, let sql = admin.db as? any SQLDatabase else { return "unknown" }
        let row = try await sql.raw("SELECT pg_database_size(\(bind: name)) AS size").first()
        return String(format: "%.1f MB", Double(try row?.decode(column: "size", as: Int.self) ?? 0) / 1e6)
    }

    func close() async throws {
        guard let admin else { return }
        if let name { try? await (admin.db as? any SQLDatabase)?.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
        try await admin.asyncShutdown()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
