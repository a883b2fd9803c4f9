import ArgumentParser
import Foundation
import Hub
import Logging

/// Reads the hub's configuration from the environment; a problem names the variable.
func hubConfiguration(requireMasterKey: Bool = true) throws -> HubConfiguration {
    do {
        return try HubConfiguration(environment: ProcessInfo.processInfo.environment, requireMasterKey: requireMasterKey)
    } catch {
        throw ValidationError("\(error) (see .env.example)")
    }
}

/// Writes a line to standard output at once (print buffers when the output is not a terminal,
/// and scripts wait for these lines).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func bootstrapLogging(_ level: Logger.Level = .notice) {
    // A malformed setting falls back to text at the command's level; `hubConfiguration()` then
    // stops with an error naming the variable.
    let (format, configured) = (try? HubConfiguration.logging(environment: ProcessInfo.processInfo.environment)) ?? (.text, nil)
    LoggingSystem.bootstrap { label in
        HubLogHandler(label: label, format: format, level: configured ?? level)
    }
}

/// Opens the configured hub, runs `body`, and closes it.
func withHub<T>(migrate: Bool = true, _ body: (HubServer) async throws -> T) async throws -> T {
    let configuration = try hubConfiguration()
    let hub = try await HubServer(configuration: configuration, masterKey: configuration.masterKey ?? Data())
    do {
        if migrate { try await hub.migrate() }
        let result = try await body(hub)
        try await hub.shutdown()
        return result
    } catch {
        try? await hub.shutdown()
        throw error
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub: the REST API and the scheduler that syncs connections when due.",
        discussion: """
        Configured by the environment (see .env.example): ROLLCALL_DATABASE_URL (unset: ./rollcall.sqlite; \
        postgres://… for several instances), ROLLCALL_MASTER_KEY (required), ROLLCALL_HOST, ROLLCALL_PORT, \
        ROLLCALL_TIME_ZONE, ROLLCALL_ADMIN_TOKEN (turns on /api/v1/workspaces), ROLLCALL_LOG_FORMAT (text or json), \
        ROLLCALL_LOG_LEVEL. Pending migrations run first. Several instances may share one PostgreSQL: each \
        connection is run by one instance at a time. SIGTERM or Ctrl-C stops gracefully: no new run starts and \
        the runs under way finish (up to 30 s).
        """
    )

    func run() async throws {
        bootstrapLogging(.info)
        let configuration = try hubConfiguration()
        let hub = try await HubServer(configuration: configuration, masterKey: configuration.masterKey ?? Data())
        do {
            try await hub.migrate()
            let port = try await hub.start()
            say("Rollcall hub listening on http://\(configuration.host):\(port)  (health: /health, API: /api/v1)")
            await waitForTermination()
            try await hub.shutdown()
        } catch {
            try? await hub.shutdown()
            throw error
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the hub's tables (serve also does this at start-up)."
    )

    @Flag(help: "Undo the last batch of migrations instead.") var revert = false

    func run() async throws {
        bootstrapLogging()
        try await withHub(migrate: false) { hub in try await hub.migrate(revert: revert) }
        print(revert ? "Reverted the last batch of migrations." : "The database is up to date.")
    }
}

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Manage workspaces.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace and print its id.")

        @Option(help: "Its name.") var name: String
        @Option(help: "IANA time zone every rule of it is evaluated in (default: ROLLCALL_TIME_ZONE, else Europe/Berlin).")
        var timeZone: String?

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
            if let timeZone, TimeZone(identifier: timeZone) == nil { throw ValidationError("--time-zone \(timeZone) is not an IANA time zone") }
        }

        func run() async throws {
            bootstrapLogging()
            let id = try await withHub { hub in try await hub.createWorkspace(name: name, timeZone: timeZone) }
            print(id.uuidString)
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for a workspace and print it (it is shown only once)."
        )

        @Option(help: "The workspace's id.") var workspace: String
        @Option(help: "A name to tell the token apart.") var name = "cli"
        @Flag(help: "Read-only token.") var readOnly = false

        func run() async throws {
            bootstrapLogging()
            guard let workspaceID = UUID(uuidString: workspace) else { throw ValidationError("--workspace must be a workspace id (a UUID)") }
            let token = try await withHub { hub in
                do {
                    return try await hub.createToken(workspaceID: workspaceID, name: name, readOnly: readOnly)
                } catch let error as ServiceError {
                    throw ValidationError(error.kind == .notFound ? "no workspace with id \(workspaceID)" : error.message)
                }
            }
            print(token)
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage people who sign in to the dashboard.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a dashboard account in a workspace (the first owner; later ones are invited from the Users page).",
            discussion: """
            The password is read from ROLLCALL_USER_PASSWORD when set, otherwise from the first line of standard input \
            (at least 12 characters). Roles: owner (everything, incl. users and deletion), admin (connections, approvals, \
            hand-offs), hr (approvals and hand-offs), viewer (read only).
            """
        )

        @Option(help: "The workspace's id.") var workspace: String
        @Option(help: "The person's e-mail address (they sign in with it).") var email: String
        @Option(help: "The person's name, as the dashboard and the audit log show it.") var name: String
        @Option(help: "owner, admin, hr or viewer.") var role: String = "owner"

        func validate() throws {
            guard UUID(uuidString: workspace) != nil else { throw ValidationError("--workspace must be a workspace id (a UUID)") }
            guard UserModel.Role(rawValue: role) != nil else { throw ValidationError("--role must be owner, admin, hr or viewer") }
            guard DashboardUsers.normalisedEmail(email) != nil else { throw ValidationError("--email \(email) is not an e-mail address") }
        }

        func run() async throws {
            bootstrapLogging()
            let password = ProcessInfo.processInfo.environment["ROLLCALL_USER_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
            do {
                try DashboardUsers.checkPassword(password)
            } catch {
                throw ValidationError("\(error) (set ROLLCALL_USER_PASSWORD or pipe the password in)")
            }
            let workspaceID = UUID(uuidString: workspace)!
            let role = UserModel.Role(rawValue: role)!
            try await withHub { hub in
                guard try await WorkspaceModel.find(workspaceID, on: hub.app.db) != nil else {
                    throw ValidationError("no workspace with id \(workspaceID)")
                }
                do {
                    try await DashboardUsers(database: hub.app.db, now: { Date() })
                        .create(workspaceID: workspaceID, email: email, name: name, password: password, role: role)
                } catch let problem as DashboardUsers.Problem {
                    throw ValidationError(problem.description)
                }
            }
            print("Created \(role.rawValue) \(email). Sign in at the hub's address, /sign-in.")
        }
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync one connection now and print what it did."
    )

    @Argument(help: "The connection's id.") var connection: String
    @Flag(help: "Only plan: change nothing.") var dryRun = false
    @Flag(help: "Read every employee (a full reconcile), not only the changed ones.") var full = false

    func run() async throws {
        bootstrapLogging()
        guard let id = UUID(uuidString: connection) else { throw ValidationError("the connection must be given by its id (a UUID)") }
        let progress = TerminalProgress()
        let report = try await withHub { hub in
            try await hub.runNow(id, full: full ? true : nil, dryRun: dryRun, progress: progress.callback)
        }
        progress.finish()
        print(describe(report))
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what the next sync of a connection would do to each person, and why (changes nothing)."
    )

    @Argument(help: "The connection's id.") var connection: String
    @Flag(help: "Plan from a full listing.") var full = false

    func run() async throws {
        bootstrapLogging()
        guard let id = UUID(uuidString: connection) else { throw ValidationError("the connection must be given by its id (a UUID)") }
        let progress = TerminalProgress()
        let lines = try await withHub { hub in
            let report = try await hub.runNow(id, full: full ? true : nil, dryRun: true, progress: progress.callback)
            progress.finish()
            let operations = try await hub.operations(ofRun: report.runID)
            return [describe(report)] + operations.map { "  \($0.kind) \($0.personioID): \($0.reason)" }
        }
        print(lines.joined(separator: "\n"))
    }
}

func describe(_ report: RunReport) -> String {
    let counts = report.counts.isEmpty ? "nothing to do" : report.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        .joined(separator: ", ")
    var text = "\(report.dryRun ? "planned" : "ran") \(report.full ? "full" : "incremental") sync: \(report.status.rawValue), \(counts); "
        + "\(report.personioRequests) Personio request(s)"
    if let brake = report.brake { text += "\n  brake: \(brake)" }
    if let error = report.error { text += "\n  \(error)" }
    return text
}

/// A progress line on standard error, redrawn in place, only when standard error is a terminal
/// (logs and pipes get nothing).
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled = isatty(STDERR_FILENO) == 1
    private var drawn = false

    var callback: (@Sendable (SyncProgress) -> Void)? {
        guard enabled else { return nil }
        return { [self] event in
            switch event {
            case .listing(let employees, let pages): draw("Reading Personio: \(employees) employees (\(pages) pages)…")
            case .applying(let connection, let done, let total): draw("Applying \(connection): \(done) of \(total) operations…")
            }
        }
    }

    private func draw(_ text: String) {
        lock.withLock {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            drawn = true
        }
    }

    /// Clears the line before the result is printed.
    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }
}
