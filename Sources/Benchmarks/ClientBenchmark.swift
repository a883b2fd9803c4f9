import AsyncHTTPClient
import Foundation
import NIOCore
import PersonioAPI

/// PersonioClient against a `rollcall sandbox` process over loopback.
struct ClientBenchmark {
    let binary: String

    /// Reads every employee with every attribute, limits off: throughput and memory growth.
    func run(employees: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        var configuration = PersonioConfiguration(baseURL: sandbox.baseURL,
                                                  credentials: PersonioCredentials(clientID: "bench", clientSecret: "bench-secret"))
        configuration.requestsPerSecond = nil
        configuration.requestsPerMinute = 1_000_000
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http))
        _ = try await client.attributes()
        let baseline = Self.kilobytes("VmRSS")
        let (clientCPU, sandboxCPU) = (CPUTime.seconds(), sandbox.cpuSeconds())
        let start = Date()
        var count = 0
        var issues = 0
        for try await page in client.employees() {
            count += page.employees.count
            issues += page.issues.count
        }
        let elapsed = Date().timeIntervalSince(start)
        let clientUsed = CPUTime.seconds() - clientCPU
        let sandboxUsed = sandbox.cpuSeconds().flatMap { after in sandboxCPU.map { after - $0 } }
        let peak = Self.kilobytes("VmHWM")
        try await http.shutdown()
        print(String(format: "read %d employees (all attributes, %d decode issues) in %.2f s: %.0f employees/s", count, issues, elapsed,
                     Double(count) / elapsed))
        print(String(format: "client RSS before listing %.1f MB, peak %.1f MB, growth %.1f MB",
                     Double(baseline) / 1024, Double(peak) / 1024, Double(peak - baseline) / 1024))
        // Throughput depends on the machine; CPU time per employee tells how much work each side did.
        let perEmployee = { (seconds: Double) in String(format: "%.1f µs", seconds / Double(max(count, 1)) * 1e6) }
        print("CPU per employee: client \(perEmployee(clientUsed)), sandbox \(sandboxUsed.map(perEmployee) ?? "unknown")"
              + " (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
    }

    /// Reads every employee against Personio's real limits with the default client settings.
    func runWithLimits(employees: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: true)
        defer { sandbox.stop() }
        let configuration = PersonioConfiguration(baseURL: sandbox.baseURL,
                                                  credentials: PersonioCredentials(clientID: "bench", clientSecret: "bench-secret"))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http))
        _ = try await client.scope()
        let start = Date()
        var count = 0
        for try await page in client.employees() { count += page.employees.count }
        let elapsed = Date().timeIntervalSince(start)
        let requests = (employees + 99) / 100
        // 15 requests in any second: request n (0-based) can leave at floor(n / 15) seconds at the earliest.
        let minimum = Double((requests - 1) / 15)
        let rateLimited = await client.statistics.rateLimited
        try await http.shutdown()
        print(String(format: "read %d employees in %d requests in %.2f s; the limits allow at best %.2f s + one response (%.1f%% over)",
                     count, requests, elapsed, minimum, (elapsed - minimum) / max(minimum, 0.001) * 100))
        print("429 responses received: \(rateLimited)")
    }

    /// Decoding alone: fetches a few pages once, then decodes them over and over on one thread.
    func runDecode(pages: Int, rounds: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: pages * 100, limits: false)
        defer { sandbox.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var bodies: [[UInt8]] = []
        do {
            var auth = HTTPClientRequest(url: sandbox.baseURL + "/auth")
            auth.method = .POST
            auth.headers.add(name: "Content-Type", value: "application/json")
            auth.body = .bytes(ByteBuffer(string: #"{"client_id":"bench","client_secret":"bench-secret"}"#))
            let reply = try await http.execute(auth, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
            let token = try JSONDecoder().decode(SandboxBenchmark.AuthReply.self, from: Data(reply.readableBytesView)).data.token
            for page in 0..<pages {
                var request = HTTPClientRequest(url: "\(sandbox.baseURL)/company/employees?limit=100&offset=\(page * 100)")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let body = try await http.execute(request, timeout: .seconds(30)).body.collect(upTo: 64 << 20)
                bodies.append(Array(body.readableBytesView))
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let bytes = bodies.reduce(0) { $0 + $1.count }
        var count = 0
        let start = Date()
        for _ in 0..<rounds {
            for (index, body) in bodies.enumerated() {
                count += try EmployeePage.decode(body, offset: index * 100, limit: 100, timeZone: zone).employees.count
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        print(String(format: "decoded %d employees (%d pages of %.0f KB, %d rounds) in %.2f s on one thread: %.0f employees/s, %.0f MB/s",
                     count, pages, Double(bytes) / Double(pages) / 1024, rounds, elapsed, Double(count) / elapsed,
                     Double(bytes * rounds) / elapsed / 1e6))
    }

    static func kilobytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
}

/// `rollcall sandbox` in its own process, ready when it prints its banner.
final class SandboxProcess {
    let process = Process()
    let baseURL: String
    let started = Date()

    init(binary: String, employees: Int, limits: Bool) throws {
        let port = 18_000 + Int.random(in: 0..<2000)
        baseURL = "http://127.0.0.1:\(port)/v1"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["sandbox", "--port", "\(port)", "--employees", "\(employees)",
                             "--client-id", "bench", "--client-secret", "bench-secret", "--admin-token", "bench-admin"]
            + (limits ? [] : ["--no-limits"])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { throw BenchmarkError("rollcall sandbox exited before listening") }
            if byte.first == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
    }

    func stop() { process.terminate() }

    /// The sandbox process's CPU time so far.
    func cpuSeconds() -> Double? { CPUTime.seconds(ofProcess: process.processIdentifier) }

    /// A request to the sandbox's admin API (admin token `bench-admin`).
    func admin(_ method: String, _ path: String, _ body: String) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: baseURL.replacingOccurrences(of: "/v1", with: "") + path)
        request.method = .RAW(value: method)
        request.headers.add(name: "Authorization", value: "Bearer bench-admin")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            try await http.shutdown()
            guard response.status.code < 300 else { throw BenchmarkError("\(method) \(path): \(response.status)") }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
