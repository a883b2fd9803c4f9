import Crypto
import Fluent
import Foundation
import Logging
import PersonioAPI
import Vapor

/// Wires the hub into a Vapor application: database, migrations, the API and health.
public enum HubApp {
    /// Configures `app` for `configuration` and returns the runner its routes and scheduler use.
    public static func configure(_ app: Application, configuration: HubConfiguration, vault: Vault, clients: PersonioClients,
                                 outbound: OutboundGuard, now: @escaping @Sendable () -> Date = { Date() }) throws -> SyncRunner {
        try HubDatabase.configure(app, configuration.database, runsInFlight: configuration.syncConcurrency)
        var runner = SyncRunner(database: app.db, vault: vault, clients: clients, now: now, scim: OutboundHTTP.guarded(outbound).scim,
                                logger: app.logger)
        runner.metrics = HubMetrics()
        runner.outbound = outbound
        try mount(app, runner: runner, adminToken: configuration.adminToken, defaultTimeZone: configuration.defaultTimeZone.identifier,
                  trustedProxies: configuration.trustedProxies)
        return runner
    }

    /// The routes and middleware, on an application whose database is configured.
    public static func mount(_ app: Application, runner: SyncRunner, adminToken: String? = nil,
                             defaultTimeZone: String = "Europe/Berlin", bcryptCost: Int = 12, trustedProxies: TrustedProxies = .none) throws {
        app.middleware = Middlewares()
        app.middleware.use(APIErrorMiddleware())
        let runs = RunService(runner: runner)
        try app.register(collection: APIRoutes(runs: runs))
        try app.register(collection: ManagementRoutes(environment: runner.environment))
        try app.register(collection: ApprovalRoutes(approvals: { ApprovalService(runs: runs, database: $0) }))
        try app.register(collection: WebhookRoutes(environment: runner.environment))
        try app.register(collection: HandoffRoutes(handoffs: { HandoffService(environment: runner.environment, database: $0) }))
        try app.register(collection: AbsenceRoutes(environment: runner.environment))
        try app.register(collection: WorkspaceRoutes(adminToken: adminToken, defaultTimeZone: defaultTimeZone, now: runner.now))
        let adminDigest = adminToken.map { SHA256.hash(data: Data($0.utf8)) }
        let health = HubHealthService(database: app.db, now: runner.now)
        try app.register(collection: HubHealthRoutes(adminDigest: adminDigest, health: health))
        try app.register(collection: OperatorPage(adminDigest: adminDigest, health: health))
        try app.register(collection: DashboardRoutes(runs: runs, users: DashboardUsers(database: app.db, now: runner.now, bcryptCost: bcryptCost),
                                                     proxies: trustedProxies))
        app.get("health") { _ in ["status": "ok"] }
        let metrics = runner.metrics
        let now = runner.now
        app.get("metrics") { _ -> Response in
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
            return Response(status: .ok, headers: headers, body: .init(string: metrics?.render(now: now()) ?? ""))
        }
    }
}
