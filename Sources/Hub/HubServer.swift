import AsyncHTTPClient
import Fluent
import Foundation
import Logging
import PersonioAPI
import SyncEngine
import Vapor

/// One hub instance: the database, the API, and the scheduler that runs due connections.
public final class HubServer: Sendable {
    public let app: Application
    public let runner: SyncRunner
    public let vault: Vault
    public let configuration: HubConfiguration
    let outbound: OutboundGuard
    let scheduler: Scheduler
    /// Delivers the webhook outbox.
    public let dispatcher: WebhookDispatcher
    private let schedulerTask = TaskBox()
    private let dispatcherTask = TaskBox()
    private let housekeepingTask = TaskBox()

    /// Opens the database (nothing is served until `start`).
    public init(configuration: HubConfiguration, masterKey: Data, logger: Logger = Logger(label: "rollcall.hub")) async throws {
        self.configuration = configuration
        let app = try await Application.make(Environment(name: "production", arguments: ["rollcall"]))
        app.logger = logger
        let vault = try Vault(masterKey: masterKey)
        // Every request made on a workspace's behalf goes through the outbound policy.
        let outbound = OutboundGuard(policy: configuration.outbound)
        let clients = PersonioClients { baseURL, credentials in
            PersonioClient(configuration: PersonioConfiguration(baseURL: baseURL, credentials: credentials),
                           transport: OutboundHTTP.guarded(outbound).personio, logger: logger)
        }
        do {
            runner = try HubApp.configure(app, configuration: configuration, vault: vault, clients: clients, outbound: outbound)
            try await HubDatabase.prepare(app.db, configuration.database)
        } catch {
            await outbound.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
        self.app = app
        self.vault = vault
        self.outbound = outbound
        scheduler = Scheduler(database: app.db, runner: runner, now: { Date() }, concurrency: configuration.syncConcurrency, logger: logger)
        dispatcher = WebhookDispatcher(database: app.db, vault: vault, http: .guarded(outbound), now: { Date() }, logger: logger)
    }

    /// Makes a workspace (the CLI's `workspace create`), through the same service as the admin API; audited.
    public func createWorkspace(name: String, timeZone: String?) async throws -> UUID {
        let service = WorkspaceService(database: app.db, now: { Date() })
        return try await service.createWithoutToken(.init(name: name, timeZone: timeZone),
                                                    defaultTimeZone: configuration.defaultTimeZone.identifier, actor: "cli").requireID()
    }

    /// A new API token of a workspace (the CLI's `token create`); its text is shown once. Audited.
    public func createToken(workspaceID: UUID, name: String, readOnly: Bool) async throws -> String {
        let service = WorkspaceService(database: app.db, now: { Date() })
        return try await service.createToken(try await service.find(workspaceID), name: name, readOnly: readOnly, actor: "cli").text
    }

    /// Syncs one connection now (the CLI's `sync` and `plan`), through the same service as the API and
    /// the dashboard; `progress` hears how far the listing is.
    public func runNow(_ connectionID: UUID, full: Bool?, dryRun: Bool,
                       progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws -> RunReport {
        var runner = runner
        runner.progress = progress
        return try await RunService(runner: runner).runNow(connectionID, full: full, dryRun: dryRun)
    }

    /// The operations a run recorded, by person (the CLI prints a preview's).
    public func operations(ofRun runID: UUID) async throws -> [(kind: String, personioID: Int, reason: String)] {
        try await RunService.operations(of: runID, on: app.db).map { ($0.kind, $0.personioID, $0.reason) }
    }

    public func migrate(revert: Bool = false) async throws {
        if revert { try await app.autoRevert() } else { try await app.autoMigrate() }
    }

    /// Serves the API and starts the scheduler; returns the port bound.
    public func start(scheduling: Bool = true) async throws -> Int {
        app.http.server.configuration.hostname = configuration.host
        app.http.server.configuration.port = configuration.port
        try await app.server.start(address: nil)
        if scheduling {
            let (scheduler, dispatcher) = (self.scheduler, self.dispatcher)
            schedulerTask.set(Task { await scheduler.run() })
            dispatcherTask.set(Task { await dispatcher.run() })
            let (writer, users, logger) = (AbsenceWriter(runner: runner), DashboardUsers(database: app.db, now: { Date() }), app.logger)
            let retention = RunRetention(database: app.db, now: { Date() })
            let health = HubHealthService(database: app.db, now: { Date() })
            housekeepingTask.set(Task {
                var lastPurge = Date.distantPast
                while !Task.isCancelled {
                    // Absences waiting after a 429/5xx are written again when their retry is due.
                    do { _ = try await writer.retryDue() } catch { logger.warning("absence retries failed: \(ErrorText.explain(error))") }
                    // Expired dashboard sessions, old sign-in attempts, idle runs past their retention and
                    // instances gone for a day go once an hour (each tried again next hour if it failed).
                    if Date().timeIntervalSince(lastPurge) >= 3600 {
                        lastPurge = Date()
                        do { try await users.purgeExpired() } catch {
                            logger.warning("purging expired sessions failed: \(ErrorText.explain(error))")
                        }
                        do { try await retention.purgeIdleRuns() } catch {
                            logger.warning("purging idle runs failed: \(ErrorText.explain(error))")
                        }
                        do { try await health.forgetGone() } catch {
                            logger.warning("forgetting stopped instances failed: \(ErrorText.explain(error))")
                        }
                    }
                    try? await Task.sleep(for: .seconds(15))
                }
            })
        }
        return app.http.server.shared.localAddress?.port ?? configuration.port
    }

    /// Stops gracefully: the scheduler claims nothing more and the pass under way may finish (up to
    /// `grace`; after that it is cancelled and its leases expire for another instance to take over).
    public func shutdown(grace: Duration = .seconds(30)) async throws {
        await scheduler.stop()
        if let task = schedulerTask.current {
            let finished = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await task.value; return true }
                group.addTask { try? await Task.sleep(for: grace); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !finished { app.logger.warning("a sync was still running at shutdown; its leases expire for another instance") }
        }
        schedulerTask.cancel()
        // A delivery cut short stays claimed for a minute and is sent again after (at least once).
        dispatcherTask.cancel()
        housekeepingTask.cancel()
        await dispatcherTask.current?.value
        await housekeepingTask.current?.value
        await app.server.shutdown()
        await outbound.shutdown()
        try await app.asyncShutdown()
    }
}

/// Holds the scheduler's task so `shutdown` can stop it.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func set(_ new: Task<Void, Never>) { lock.withLock { task = new } }
    var current: Task<Void, Never>? { lock.withLock { task } }
    func cancel() { lock.withLock { task?.cancel() } }
}
