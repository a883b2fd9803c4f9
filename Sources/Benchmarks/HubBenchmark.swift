import AsyncHTTPClient
import Fluent
import Foundation
import Hub
import NIOCore
import SyncEngine

/// The hub against a `rollcall sandbox` process (limits off on the sandbox; the client keeps
/// Personio's limits): a first full sync into a `feed` connection, an incremental tick with nothing
/// changed, and how long a change takes to reach the feed with the scheduler's default settings.
struct HubBenchmark {
    let binary: String

    func run(employees: Int, waitForChange: Bool) async throws {
        let sandbox = try SandboxProcess(binary: binary, employees: employees, limits: false)
        defer { sandbox.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try HubConfiguration(environment: [
            "ROLLCALL_DATABASE_URL": "sqlite://" + directory.appendingPathComponent("hub.sqlite")
                .path, "ROLLCALL_PORT": String(18_500 + Int.random(in: 0..<400)),
            "ROLLCALL_OUTBOUND_ALLOW": BenchmarkHub.outboundAllow,
        ], requireMasterKey: false)
        let hub = try await HubServer(configuration: configuration, masterKey: Vault.randomKey())
        do {
            try await measure(hub, sandbox: sandbox, employees: employees, waitForChange: waitForChange)
            try await hub.shutdown()
        } catch {
            try? await hub.shutdown()
            throw error
        }
    }

    private func measure(_ hub: HubServer, sandbox: SandboxProcess, employees: Int, waitForChange: Bool) async throws {
        try await hub.migrate()
        let seeded = try await Demo.seed(on: hub.app.db, runner: hub.runner, sandboxBaseURL: sandbox.baseURL, clientID: "bench",
                                         clientSecret: "bench-secret", apiToken: "rc_bench_token_000000", presets: [.timeTracking])
        let connection = seeded.connections[0].id

        let fullStart = Date()
        let full = try await hub.runner.run(connectionID: connection, full: true)
        let fullTime = Date().timeIntervalSince(fullStart)
        print(String(format: "first full sync of %d employees into a feed connection: %.2f s (%d created, %d Personio requests, %@)",
                     employees, fullTime, full.counts["create"] ?? 0, full.personioRequests, full.status.rawValue))

        // A freshly generated sandbox has people modified up to a minute before it started; an
        // incremental tick lists them again until they are older than the overlap (120 s). Measure
        // the quiet state: nothing modified within the overlap.
        let quiet = sandbox.started.addingTimeInterval(60 + hub.runner.overlap + 5)
        if quiet > Date() {
            print(String(format: "waiting %.0f s until no sandbox change falls within the 120 s overlap…", quiet.timeIntervalSinceNow))
            try await Task.sleep(for: .seconds(quiet.timeIntervalSinceNow))
        }
        var tickTimes: [Double] = []
        var requests: [Int] = []
        for _ in 0..<5 {
            let tickStart = Date()
            let tick = try await hub.runner.run(connectionID: connection)
            tickTimes.append(Date().timeIntervalSince(tickStart))
            requests.append(tick.personioRequests)
            precondition(!tick.full && tick.counts.isEmpty, "an incremental tick with nothing changed planned \(tick.counts)")
        }
        print(String(format: "incremental tick, nothing changed: %.0f ms (median of 5; all: %@), Personio requests per tick: %@",
                     tickTimes.sorted()[2] * 1000, tickTimes.map { String(format: "%.0f", $0 * 1000) }.joined(separator: ", "),
                     requests.map(String.init).joined(separator: ", ")))

        guard waitForChange else { return }
        // Right after a scheduled run (the worst case): change someone, then let the scheduler work.
        _ = try await hub.runner.run(connectionID: connection)
        let someone = try await LinkModel.query(on: hub.app.db).filter(\.$connection.$id == connection).filter(\.$state == .active)
            .sort(\.$personioID).first()?.personioID ?? 10001
        let before = try await DirectoryChangeModel.query(on: hub.app.db).max(\.$id) ?? 0
        try await sandbox.admin("PATCH", "/sandbox/employees/\(someone)", #"{"last_name":"Changed"}"#)
        let changed = Date()
        _ = try await hub.start()
        while try await DirectoryChangeModel.query(on: hub.app.db).filter(\.$id > before).filter(\.$personioID == someone).count() == 0 {
            guard Date().timeIntervalSince(changed) < 180 else { throw BenchmarkError("the change did not reach the feed in 180 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        print(String(format: "a change made in the sandbox right after a run reached the feed after %.1f s (default settings)",
                     Date().timeIntervalSince(changed)))
    }
}
