import ArgumentParser
import Foundation
import Hub
import Logging
import PersonioSandbox
import SyncEngine

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the sandbox and the hub in one process, with a demo workspace, and print what to try.",
        discussion: """
        Starts a Personio sandbox, and a hub on an in-memory database with a generated master key; \
        creates a demo workspace, a source on the sandbox and one `feed` connection per preset, runs a \
        first sync, and keeps syncing on schedule (every minute; the survey preset every 12 hours). \
        Nothing is written to disk. Press Ctrl-C to stop.
        """
    )

    @Option(help: "Port of the hub's API.") var port = 8080
    @Option(help: "Port of the Personio sandbox.") var sandboxPort = 8090
    @Option(help: "The demo workspace's API token (random when not given).") var apiToken: String?
    @Option(help: "Bearer token of the sandbox's /sandbox admin API (random when not given).") var sandboxAdminToken: String?
    @Option(help: "Employees the sandbox generates.") var employees = 250
    @Option(help: "Password of the dashboard's demo owner, demo@rollcall.example (random when not given; at least 12 characters).")
    var dashboardPassword: String?

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard (1...65_535).contains(sandboxPort) else { throw ValidationError("--sandbox-port must be between 1 and 65535") }
        guard port != sandboxPort else { throw ValidationError("--port and --sandbox-port must differ") }
        if let apiToken, apiToken.count < 16 { throw ValidationError("--api-token must be at least 16 characters") }
        if let dashboardPassword { try DashboardUsers.checkPassword(dashboardPassword) }
        guard (0...100_000).contains(employees) else { throw ValidationError("--employees must be between 0 and 100000") }
    }

    func run() async throws {
        bootstrapLogging(.warning)
        let adminToken = sandboxAdminToken ?? "demo-admin-" + SandboxConfiguration.randomToken(bytes: 8)
        let token = apiToken ?? "rc_demo_" + SandboxConfiguration.randomToken(bytes: 16)
        let sandboxConfiguration = SandboxConfiguration(
            employeeCount: employees, seed: 1, clientId: "demo-client", clientSecret: "demo-secret-" + SandboxConfiguration.randomToken(bytes: 12),
            adminToken: adminToken)
        let sandbox = try await SandboxServer(configuration: sandboxConfiguration)
        let boundSandboxPort: Int
        do {
            boundSandboxPort = try await sandbox.start(port: sandboxPort)
        } catch SandboxStartError.portInUse(let host, let port) {
            // the demo's flag for it, not the sandbox command's
            throw DemoStartError(description: "Port \(port) on \(host) is already in use (another sandbox or demo?). Stop it, or choose "
                                 + "another port with --sandbox-port.")
        }
        let sandboxURL = "http://127.0.0.1:\(boundSandboxPort)"

        let configuration = try HubConfiguration(environment: [
            "ROLLCALL_DATABASE_URL": "sqlite://:memory:", "ROLLCALL_PORT": String(port), "ROLLCALL_HOST": "127.0.0.1",
            // the demo's own sandbox and receivers run on loopback, which a multi-tenant hub refuses by default
            "ROLLCALL_OUTBOUND_ALLOW": "127.0.0.1",
        ], requireMasterKey: false)
        let hub = try await HubServer(configuration: configuration, masterKey: Vault.randomKey())
        do {
            try await hub.migrate()
            let seeded = try await Demo.seed(on: hub.app.db, runner: hub.runner, sandboxBaseURL: sandboxURL + "/v1",
                                             clientID: sandboxConfiguration.clientId, clientSecret: sandboxConfiguration.clientSecret,
                                             apiToken: token)
            let password = dashboardPassword ?? SandboxConfiguration.randomToken(bytes: 9)
            try await DashboardUsers(database: hub.app.db, now: { Date() })
                .create(workspaceID: seeded.workspaceID, email: "demo@rollcall.example", name: "Demo owner", password: password, role: .owner)
            say("Running a first sync of \(seeded.connections.count) connections from the sandbox's \(employees) employees…")
            let progress = TerminalProgress()
            var runner = hub.runner
            runner.progress = progress.callback
            let reports = try await runner.run(sourceID: seeded.sourceID, full: true)
            progress.finish()
            let hubPort = try await hub.start()
            let hubURL = "http://127.0.0.1:\(hubPort)"
            let timeTracking = seeded.connections.first { $0.preset == Preset.timeTracking.id }?.id ?? seeded.connections[0].id
            let onboarding = seeded.connections.first { $0.preset == Preset.eorOnboarding.id }?.id ?? timeTracking
            let facts = try await Demo.tourFacts(on: hub.app.db, timeTracking: timeTracking, onboarding: onboarding)
            let someone = facts.someone ?? 10001
            let (cursor, draft) = (facts.cursor, facts.draft ?? someone)
            let yesterday = LocalDate.today(Date(), TimeZone(identifier: "Europe/Berlin") ?? .current).adding(days: -1)
            say(Self.banner(reports: reports, connections: seeded.connections, hubURL: hubURL, sandboxURL: sandboxURL, token: token,
                              adminToken: adminToken, password: password, timeTracking: timeTracking, someone: someone, cursor: cursor,
                              yesterday: yesterday, onboarding: (onboarding, draft)))
            await waitForTermination()
            try await hub.shutdown()
            try await sandbox.shutdown()
        } catch {
            try? await hub.shutdown()
            try? await sandbox.shutdown()
            throw error
        }
    }

    static func banner(reports: [RunReport], connections: [(preset: String, id: UUID)], hubURL: String, sandboxURL: String,
                       token: String, adminToken: String, password: String, timeTracking: UUID, someone: Int, cursor: Int, yesterday: LocalDate,
                       onboarding: (connection: UUID, draft: Int)) -> String {
        let lines = connections.map { connection -> String in
            let report = reports.first { $0.connectionID == connection.id }
            let counts = report.map { $0.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") } ?? ""
            return "  \(connection.preset.padding(toLength: 14, withPad: " ", startingAt: 0)) \(connection.id)  \(counts)"
        }
        return """

        Rollcall demo is running (in memory; Ctrl-C stops it).
          Dashboard \(hubURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"))/   sign in as demo@rollcall.example, password: \(password)
          Hub API   \(hubURL)/api/v1   token: \(token)
          Sandbox   \(sandboxURL)/v1   admin token: \(adminToken)

        Connections (preset, id, first sync):
        \(lines.joined(separator: "\n"))

        Try:
          # the connections and their next sync
          curl -s \(hubURL)/api/v1/connections -H 'Authorization: Bearer \(token)'
          # the time-tracking app's people, as a change feed (store next_cursor to read on)
          curl -s '\(hubURL)/api/v1/connections/\(timeTracking)/people?limit=2' -H 'Authorization: Bearer \(token)'
          # onboarding waits for HR: list the drafts, then import one for Germany and approve it
          curl -s \(hubURL)/api/v1/connections/\(onboarding.connection)/drafts -H 'Authorization: Bearer \(token)'
          curl -s -X POST \(hubURL)/api/v1/connections/\(onboarding.connection)/approvals -H 'Authorization: Bearer \(token)' \\
               -H 'Content-Type: application/json' -d '{"personio_ids":[\(onboarding.draft)],"country":"DE"}'
          # terminate employee \(someone) in the sandbox (as if in Personio)
          curl -s -X POST \(sandboxURL)/sandbox/employees/\(someone)/terminate -H 'Authorization: Bearer \(adminToken)' \\
               -H 'Content-Type: application/json' -d '{"termination_date":"\(yesterday)"}'
          # within about a minute the feed shows them archived, with the reason in the run
          curl -s '\(hubURL)/api/v1/connections/\(timeTracking)/people?cursor=\(cursor)' -H 'Authorization: Bearer \(token)'
          curl -s \(hubURL)/api/v1/connections/\(timeTracking)/runs -H 'Authorization: Bearer \(token)'

        """
    }
}

/// Why the demo could not start, said with the demo's own options.
struct DemoStartError: Error, CustomStringConvertible {
    let description: String
}
