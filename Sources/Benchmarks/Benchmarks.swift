import AsyncHTTPClient
import Foundation
import NIOCore

/// `rollcall-bench sandbox [--employees N] [--rollcall PATH]`: starts `rollcall sandbox` with
/// limits off as a separate process, reads every employee page by page at limit 100 over
/// loopback, and reports the time, the throughput and the sandbox's memory.
@main
struct Benchmarks {
    static func main() async {
        do {
            try await run(Array(CommandLine.arguments.dropFirst()))
        } catch {
            // said, not a crash: what failed and how to fix it
            FileHandle.standardError.write(Data("rollcall-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The `rollcall` binary the benchmarks start: `--rollcall`, else `.build/release/rollcall` under the
    /// current directory, else the one beside this executable.
    static func rollcallBinary(_ given: String?) throws -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rollcall").path
        let candidates = given.map { [$0] } ?? [".build/release/rollcall", beside]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchmarkError("no rollcall binary at \(candidates.joined(separator: " or ")): build it with "
                                 + "`swift build -c release --product rollcall` in the repository, or pass --rollcall PATH")
        }
        return found
    }

    static func run(_ arguments: [String]) async throws {
        guard let options = try BenchmarkOptions(arguments) else {
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        }
        let binary = options.command == "engine" ? "" : try rollcallBinary(options.text("--rollcall"))
        switch options.command {
        case "sandbox":
            try await SandboxBenchmark(employees: options.integer("--employees", 100_000), binary: binary).run()
        case "client":
            try await ClientBenchmark(binary: binary).run(employees: options.integer("--employees", 100_000))
        case "client-v2":
            try await ClientV2Benchmark(binary: binary).run(employees: options.integer("--employees", 10_000),
                                                            limitedEmployees: options.integer("--limited", 500),
                                                            perMinute: options.integer("--per-minute", 300))
        case "engine":
            EngineBenchmark().run(people: try options.integer("--people", 100_000))
        case "hub":
            try await HubBenchmark(binary: binary).run(employees: options.integer("--employees", 10_000), waitForChange: !options.has("--no-wait"))
        case "fleet":
            try await FleetBenchmark(binary: binary, workspaces: options.integer("--workspaces", 1000),
                                     instances: options.integer("--instances", 1),
                                     minutes: options.number("--minutes", 3), warmup: options.number("--warmup", 90),
                                     employees: options.integer("--employees", 20),
                                     postgresURL: options.text("--postgres"),
                                     concurrency: options.has("--concurrency") ? options.integer("--concurrency", 8) : nil).run()
        case "webhooks":
            try await WebhookBenchmark(binary: binary).run(employees: options.integer("--employees", 10_000))
        case "scim":
            try await SCIMBenchmark(binary: binary).run(employees: options.integer("--employees", 2_000), only: options.text("--server"))
        case "decode":
            try await ClientBenchmark(binary: binary).runDecode(pages: options.integer("--pages", 20), rounds: options.integer("--rounds", 10))
        case "client-limits":
            try await ClientBenchmark(binary: binary).runWithLimits(employees: options.integer("--employees", 10_000))
        default:
            throw BenchmarkError("no benchmark ‘\(options.command)’")
        }
    }

    static let usage = """
            usage: rollcall-bench sandbox [--employees 100000] [--rollcall .build/release/rollcall]
                   rollcall-bench client [--employees 100000]         read everything with PersonioClient, limits off
                   rollcall-bench client-limits [--employees 10000]   read everything within Personio's real limits
                   rollcall-bench client-v2 [--employees 10000 --limited 500 --per-minute 300]
                                                                      v1 beside v2 with limits off, then v2 under the
                                                                      sandbox's v2 limit switch
                   rollcall-bench hub [--employees 10000] [--no-wait] first full sync, idle tick, change → feed latency
                   rollcall-bench scim [--employees 2000] [--server scim2-server|django-scim2]
                                                                      first provisioning into both SCIM servers of
                                                                      scripts/start-scim.sh, then a run with nothing changed
                   rollcall-bench fleet [--workspaces 1000 --instances 1 --minutes 3 --warmup 90 --employees 20]
                                        [--postgres postgres://… --concurrency N]
                                                                      N customer workspaces (a source, two connections
                                                                      each, due every minute) made through the API on
                                                                      K `rollcall serve` instances; runs per connection
                                                                      per minute, lag percentiles, CPU, memory, DB size
                   rollcall-bench webhooks [--employees 10000]        deliver a first sync's events to a local receiver
                   rollcall-bench decode [--pages 20 --rounds 10]     decode pages only, on one thread
                   rollcall-bench engine [--people 100000]            plan with 1 % changed and with nothing changed
            Each benchmark that starts `rollcall` takes --rollcall PATH (default .build/release/rollcall, else the one
            beside rollcall-bench).
            """
}

struct SandboxBenchmark {
    let employees: Int
    let binary: String

    func run() async throws {
        let port = 18_000 + Int.random(in: 0..<2000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["sandbox", "--port", "\(port)", "--employees", "\(employees)", "--no-limits",
                             "--client-id", "bench", "--client-secret", "bench-secret", "--admin-token", "bench-admin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let launched = Date()
        try process.run()
        defer { process.terminate() }
        let banner = try readLine(from: output.fileHandleForReading)
        let startup = Date().timeIntervalSince(launched)
        print("sandbox: \(banner)")
        print(String(format: "startup incl. generating %d employees: %.2f s (process launch to listening)", employees, startup))

        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await measure(http: http, port: port, process: process)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func measure(http: HTTPClient, port: Int, process: Process) async throws {
        let base = "http://127.0.0.1:\(port)/v1"
        var auth = HTTPClientRequest(url: base + "/auth")
        auth.method = .POST
        auth.headers.add(name: "Content-Type", value: "application/json")
        auth.body = .bytes(ByteBuffer(string: #"{"client_id":"bench","client_secret":"bench-secret"}"#))
        let authBody = try await http.execute(auth, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
        let token = try JSONDecoder().decode(AuthReply.self, from: Data(authBody.readableBytesView)).data.token

        let start = Date()
        var offset = 0
        var pages = 0
        var bytes = 0
        var seen = 0
        while true {
            var request = HTTPClientRequest(url: "\(base)/company/employees?limit=100&offset=\(offset)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await http.execute(request, timeout: .seconds(30))
            guard response.status == .ok else { throw BenchmarkError("page at offset \(offset): \(response.status)") }
            let body = try await response.body.collect(upTo: 64 << 20)
            bytes += body.readableBytes
            pages += 1
            let count = Self.countEmployees(in: body)
            seen += count
            offset += 100
            if count < 100 || offset >= employees { break }
        }
        let elapsed = Date().timeIntervalSince(start)
        let memory = Self.memory(of: process.processIdentifier)
        print(String(format: "listed %d employees in %d pages (%.1f MB) in %.2f s: %.0f employees/s",
                     seen, pages, Double(bytes) / 1e6, elapsed, Double(seen) / elapsed))
        print("sandbox memory: \(memory)")
    }

    /// Counts the items of `data` without decoding the page: each starts with
    /// `{"type":"Employee","attributes":{"id":` right after `[` or `,` (a nested supervisor has the
    /// same prefix but follows `:`).
    static func countEmployees(in buffer: ByteBuffer) -> Int {
        let needle = Array(#"{"type":"Employee","attributes":{"id":"#.utf8)
        return buffer.readableBytesView.withContiguousStorageIfAvailable { bytes -> Int in
            var count = 0
            var index = 1
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == needle[0], bytes[index - 1] == UInt8(ascii: "[") || bytes[index - 1] == UInt8(ascii: ",") {
                    var matches = true
                    for offset in 1..<needle.count where bytes[index + offset] != needle[offset] { matches = false; break }
                    if matches { count += 1; index += needle.count; continue }
                }
                index += 1
            }
            return count
        } ?? 0
    }

    static func memory(of pid: Int32) -> String {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return "unknown" }
        return status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
            .map { $0.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "  ", with: " ") }.joined(separator: ", ")
    }

    private func readLine(from handle: FileHandle) throws -> String {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { throw BenchmarkError("rollcall sandbox exited before listening") }
            if byte.first == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    struct AuthReply: Decodable {
        struct Token: Decodable { var token: String }
        var data: Token
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// User + system CPU time of a process, to tell how much work a figure took besides how long.
enum CPUTime {
    /// This process.
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Another process, from `/proc/<pid>/stat`.
    static func seconds(ofProcess pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // after the command: state is field 3, utime 14 and stime 15 (1-based over the whole line)
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Every process with this command name (PostgreSQL's server and its backends), from `/proc`.
    static func seconds(ofProcessesNamed name: String) -> Double {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.filter { (try? String(contentsOfFile: "/proc/\($0)/comm",
                                          encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == name }
            .compactMap { seconds(ofProcess: $0) }.reduce(0, +)
    }

    /// The whole machine's busy and total CPU seconds so far, from `/proc/stat` (all cores).
    static func machine() -> (busy: Double, total: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return nil }
        let total = ticks.prefix(8).reduce(0, +)
        let idle = ticks[3] + ticks[4]  // idle and waiting for I/O
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((total - idle) / hertz, total / hertz)
    }
}

/// What the hubs the benchmarks start need: their sandbox, receiver and SCIM server run on loopback,
/// which the outbound policy refuses unless the operator allows it.
enum BenchmarkHub {
    static let outboundAllow = "127.0.0.1"
}
