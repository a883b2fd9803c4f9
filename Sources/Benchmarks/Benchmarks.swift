import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `rollcall-bench <benchmark> [options]`: the figures the issues ask for, measured on release builds.
/// Each benchmark is a subcommand; `--help` explains it, an option it does not take is an error.
@main
struct Benchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollcall-bench",
        abstract: "Measure Rollcall (release builds): the sandbox, the Personio client, the planner, the hub, SCIM, webhooks, a fleet.",
        discussion: """
            Each benchmark that starts `rollcall` takes --rollcall PATH (default .build/release/rollcall, else the one \
            beside rollcall-bench). Build both with `swift build -c release --product rollcall` and \
            `swift build -c release --product rollcall-bench`.
            """,
        subcommands: [SandboxCommand.self, ClientCommand.self, ClientLimitsCommand.self, ClientV2Command.self, DecodeCommand.self,
                      EngineCommand.self, HubCommand.self, SCIMCommand.self, WebhooksCommand.self, FleetCommand.self])

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
}

/// Where the `rollcall` binary a benchmark starts is.
struct BinaryOption: ParsableArguments {
    @Option(name: .customLong("rollcall"), help: "The rollcall binary (default .build/release/rollcall, else the one beside rollcall-bench).")
    var path: String?

    func binary() throws -> String { try Benchmarks.rollcallBinary(path) }
}

/// A count that must be at least 1, or ArgumentParser's error naming the option.
func requirePositive(_ value: Int, _ option: String) throws {
    guard value >= 1 else { throw ValidationError("--\(option) takes a whole number from 1 on, not \(value)") }
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "List every employee from the sandbox at limit 100.")
    @Option(help: "Employees the sandbox generates.") var employees = 100_000
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await SandboxBenchmark(employees: employees, binary: rollcall.binary()).run() }
}

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Read everything with PersonioClient, limits off.")
    @Option(help: "Employees the sandbox generates.") var employees = 100_000
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await ClientBenchmark(binary: rollcall.binary()).run(employees: employees) }
}

struct ClientLimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client-limits", abstract: "Read everything within Personio's real limits.")
    @Option(help: "Employees the sandbox generates.") var employees = 10_000
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await ClientBenchmark(binary: rollcall.binary()).runWithLimits(employees: employees) }
}

struct ClientV2Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client-v2",
                                                    abstract: "v1 beside v2 with limits off, then v2 under the sandbox's v2 limit switch.")
    @Option(help: "Employees for the unlimited comparison.") var employees = 10_000
    @Option(help: "Employees read under the v2 limit.") var limited = 500
    @Option(name: .customLong("per-minute"), help: "The v2 limit, requests per minute.") var perMinute = 300
    @OptionGroup var rollcall: BinaryOption
    func validate() throws {
        try requirePositive(employees, "employees")
        try requirePositive(limited, "limited")
        try requirePositive(perMinute, "per-minute")
    }
    func run() async throws {
        try await ClientV2Benchmark(binary: rollcall.binary()).run(employees: employees, limitedEmployees: limited, perMinute: perMinute)
    }
}

struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Decode pages only, on one thread.")
    @Option(help: "Pages of 100 employees.") var pages = 20
    @Option(help: "Rounds over the pages.") var rounds = 10
    @OptionGroup var rollcall: BinaryOption
    func validate() throws {
        try requirePositive(pages, "pages")
        try requirePositive(rounds, "rounds")
    }
    func run() async throws { try await ClientBenchmark(binary: rollcall.binary()).runDecode(pages: pages, rounds: rounds) }
}

struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "Plan with 1 % changed and with nothing changed.")
    @Option(help: "People to plan.") var people = 100_000
    func validate() throws { try requirePositive(people, "people") }
    func run() async throws { EngineBenchmark().run(people: people) }
}

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hub", abstract: "First full sync, idle tick, change → feed latency.")
    @Option(help: "Employees the sandbox generates.") var employees = 10_000
    @Flag(name: .customLong("no-wait"), help: "Skip the change → feed measurement.") var noWait = false
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await HubBenchmark(binary: rollcall.binary()).run(employees: employees, waitForChange: !noWait) }
}

struct SCIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scim",
        abstract: "First provisioning into the SCIM servers of scripts/start-scim.sh, then a run with nothing changed.")
    @Option(help: "Employees to provision.") var employees = 2_000
    @Option(help: "Only this server: scim2-server or django-scim2.") var server: String?
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await SCIMBenchmark(binary: rollcall.binary()).run(employees: employees, only: server) }
}

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "webhooks", abstract: "Deliver a first sync's events to a local receiver.")
    @Option(help: "Employees the sandbox generates.") var employees = 10_000
    @OptionGroup var rollcall: BinaryOption
    func validate() throws { try requirePositive(employees, "employees") }
    func run() async throws { try await WebhookBenchmark(binary: rollcall.binary()).run(employees: employees) }
}

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "N customer workspaces (a source and two connections each, due every minute) on K `rollcall serve` instances.",
        discussion: "Reports runs per connection per minute, lag percentiles, CPU of the hub, PostgreSQL and the machine, memory, DB size.")
    @Option(help: "Customer workspaces to create through the API.") var workspaces = 1000
    @Option(help: "Hub instances on one database (more than one needs --postgres).") var instances = 1
    @Option(help: "Minutes measured.") var minutes = 3.0
    @Option(help: "Seconds to wait for the first full syncs before measuring.") var warmup = 90.0
    @Option(help: "Employees per customer.") var employees = 20
    @Option(help: "A PostgreSQL server URL whose user may create databases (default: an SQLite file).") var postgres: String?
    @Option(help: "ROLLCALL_SYNC_CONCURRENCY for each instance (default: the hub's).") var concurrency: Int?
    @OptionGroup var rollcall: BinaryOption
    func validate() throws {
        try requirePositive(workspaces, "workspaces")
        try requirePositive(instances, "instances")
        try requirePositive(employees, "employees")
        if let concurrency { try requirePositive(concurrency, "concurrency") }
        guard minutes > 0, warmup >= 0 else { throw ValidationError("--minutes must be above 0 and --warmup at least 0") }
    }
    func run() async throws {
        try await FleetBenchmark(binary: rollcall.binary(), workspaces: workspaces, instances: instances, minutes: minutes, warmup: warmup,
                                 employees: employees, postgresURL: postgres, concurrency: concurrency).run()
    }
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
