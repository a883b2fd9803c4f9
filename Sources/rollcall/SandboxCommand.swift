import ArgumentParser
import Foundation
import Logging
import PersonioSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a Personio-compatible server (v1 and v2 APIs) with generated employees.",
        discussion: """
        Serves Personio's v1 API under /v1 (auth, employees, attributes, time-off types, time-offs) \
        with Personio's envelopes, paging, attribute whitelists and rate limits, and Personio's v2 API \
        under /v2 on the same company (OAuth tokens with scopes, persons and employments in cursor \
        pages with every filter, writes, absence types and periods, org units, legal entities, \
        problem-body errors), plus an admin API under /sandbox to hire, change, terminate and \
        delete employees, manage API credentials and switch faults (also v2's: a rate limit, \
        relative next links, a repeating cursor). Unmodified Personio clients work against it.

        Without --client-id/--client-secret/--admin-token, random ones are generated and printed.
        """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8090
    @Option(help: "Number of employees to generate.") var employees = 250
    @Option(help: "Seed for the generator: the same seed gives the same company.") var seed: UInt64 = 1
    @Option(help: "JSON file to keep the company in across restarts (created if missing).") var data: String?
    @Option(help: "Client id of the default API credential (reads everything, may write).") var clientId: String?
    @Option(help: "Client secret of the default API credential.") var clientSecret: String?
    @Option(help: "Bearer token for the /sandbox admin API.") var adminToken: String?
    @Flag(help: "Turn Personio's rate limits off (for benchmarks).") var noLimits = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...1_000_000).contains(employees) else { throw ValidationError("--employees must be between 0 and 1000000") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let configuration = SandboxConfiguration(
            employeeCount: employees, seed: seed, dataFile: data,
            clientId: clientId ?? "papi-client-" + SandboxConfiguration.randomToken(bytes: 8),
            clientSecret: clientSecret ?? "papi-secret-" + SandboxConfiguration.randomToken(bytes: 16),
            adminToken: adminToken ?? "sandbox-admin-" + SandboxConfiguration.randomToken(bytes: 12),
            limitsEnabled: !noLimits
        )
        let started = Date()
        let server = try await SandboxServer(configuration: configuration)
        let bound = try await server.start(host: host, port: port)
        let base = "http://\(host):\(bound)"
        let elapsed = String(format: "%.2f", Date().timeIntervalSince(started))
        FileHandle.standardOutput.write(Data("""
        Personio sandbox listening on \(base)/v1 and \(base)/v2  (\(employees) employees, seed \(seed), ready in \(elapsed) s\
        \(data.map { ", data in \($0)" } ?? ""))
          client id      \(configuration.clientId)
          client secret  \(clientSecret == nil ? configuration.clientSecret : "(as given)")
          admin token    \(adminToken == nil ? configuration.adminToken : "(as given)")
          rate limits    \(noLimits ? "off" : "Personio's (auth 60/min, 300/min and 15/s per token, 2000/min overall)")

        Try:
          curl -s -X POST \(base)/v1/auth -H 'Content-Type: application/json' \\
               -d '{"client_id":"<client id>","client_secret":"<client secret>"}'
          curl -s '\(base)/v1/company/employees?limit=2' -H 'Authorization: Bearer <token>'
        Press Ctrl-C to stop.

        """.utf8))
        await waitForTermination()
        try await server.shutdown()
    }
}

/// Suspends until SIGINT or SIGTERM.
func waitForTermination() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumed = ResumeOnce(continuation)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { resumed.resume() }
            source.resume()
            sources.append(source)
        }
        SignalSources.keep(sources)
    }
}

/// Keeps the signal sources alive for the life of the process.
private enum SignalSources {
    private static let storage = Storage()

    static func keep(_ sources: [any DispatchSourceSignal]) { storage.set(sources) }

    private final class Storage: @unchecked Sendable {
        private let lock = NSLock()
        private var sources: [any DispatchSourceSignal] = []
        func set(_ new: [any DispatchSourceSignal]) { lock.withLock { sources = new } }
    }
}

private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    func resume() {
        lock.withLock {
            continuation?.resume()
            continuation = nil
        }
    }
}
