import AsyncHTTPClient
import Foundation
import PersonioAPI

/// PersonioClient against a `rollcall sandbox` process over loopback.
struct ClientBenchmark {
    let binary: String

    /// Reads every employee with every attribute, limits off: throughput and memory growth.
    func run(employees: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        var configuration = PersonioConfiguration(baseURL: sandbox.baseURL,
                                                  credentials: PersonioCredentials(clientId: "bench", clientSecret: "bench-secret"))
        configuration.requestsPerSecond = nil
        configuration.requestsPerMinute = 1_000_000
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = PersonioClient(configuration: configuration, transport: AsyncHTTPClientTransport(client: http))
        _ = try await client.attributes()
        let baseline = Self.kilobytes("VmRSS")
        let start = Date()
        var count = 0
        var issues = 0
        for try await page in client.employees() {
            count += page.employees.count
            issues += page.issues.count
        }
        let elapsed = Date().timeIntervalSince(start)
        let peak = Self.kilobytes("VmHWM")
        try await http.shutdown()
        print(String(format: "read %d employees (all attributes, %d decode issues) in %.2f s: %.0f employees/s", count, issues, elapsed,
                     Double(count) / elapsed))
        print(String(format: "client RSS before listing %.1f MB, peak %.1f MB, growth %.1f MB",
                     Double(baseline) / 1024, Double(peak) / 1024, Double(peak - baseline) / 1024))
    }

    /// Reads every employee against Personio's real limits with the default client settings.
    func runWithLimits(employees: Int) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: true)
        defer { sandbox.stop() }
        let configuration = PersonioConfiguration(baseURL: sandbox.baseURL,
                                                  credentials: PersonioCredentials(clientId: "bench", clientSecret: "bench-secret"))
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
}
