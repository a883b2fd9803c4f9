import Foundation
import NIOCore
import PersonioAPI
import Vapor

/// A Personio-compatible HTTP server: Personio's v1 API under `/v1`, and the sandbox's own admin
/// API under `/sandbox` (bearer admin token) to change the company, credentials and faults.
public final class SandboxServer: Sendable {
    public let configuration: SandboxConfiguration
    let store: SandboxStore
    private let application: Application
    private let webhooks: WebhookDispatcher

    /// Loads the company from the data file when it exists, otherwise generates it from the seed
    /// (and saves it there). The default credential from the configuration is always present.
    public init(configuration: SandboxConfiguration, logger: Logger = Logger(label: "rollcall.sandbox")) async throws {
        self.configuration = configuration
        var company: Company
        if let path = configuration.dataFile, FileManager.default.fileExists(atPath: path) {
            do {
                company = try JSONDecoder().decode(Company.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw SandboxStartError.unreadableDataFile(path: path, reason: String(describing: error))
            }
        } else {
            let now = configuration.now()
            company = CompanyGenerator(
                employeeCount: configuration.employeeCount, seed: configuration.seed,
                today: PersonioTimestamp.localDate(of: now, in: configuration.timeZone), now: now
            ).generate()
        }
        let defaultCredential = SandboxCredential(
            clientId: configuration.clientId, clientSecret: configuration.clientSecret, name: "Default (all attributes)")
        if let index = company.credentials.firstIndex(where: { $0.clientId == configuration.clientId }) {
            company.credentials[index] = defaultCredential
        } else {
            company.credentials.insert(defaultCredential, at: 0)
        }
        store = SandboxStore(configuration: configuration, company: company)
        try await store.persist()
        webhooks = WebhookDispatcher(store: store)

        application = try await Application.make(Environment(name: "production", arguments: ["rollcall-sandbox"]))
        application.logger = logger
        application.middleware = Middlewares()
        application.middleware.use(SandboxErrorMiddleware(now: configuration.now))
        application.routes.defaultMaxBodySize = ByteCount(value: configuration.maxBodyBytes)
        application.http.server.configuration.serverName = "rollcall-sandbox"
        PersonioRoutes(store: store).register(on: application.routes)
        PersonioV2Routes(store: store).register(on: application.routes)
        AdminRoutes(store: store, adminToken: configuration.adminToken).register(on: application.routes)
    }

    /// Starts listening; `port` 0 picks a free port. Returns the port bound.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        application.http.server.configuration.hostname = host
        application.http.server.configuration.port = port
        do {
            try await application.server.start(address: .hostname(host, port: port))
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw SandboxStartError.portInUse(host: host, port: port)
        }
        await webhooks.start()
        return application.http.server.shared.localAddress?.port ?? port
    }

    /// The port the server listens on, once started.
    public var port: Int? { application.http.server.shared.localAddress?.port }

    public func shutdown() async throws {
        await webhooks.shutdown()
        await application.server.shutdown()
        try await application.asyncShutdown()
    }
}

public enum SandboxStartError: Error, CustomStringConvertible {
    case unreadableDataFile(path: String, reason: String)
    case portInUse(host: String, port: Int)

    public var description: String {
        switch self {
        case .unreadableDataFile(let path, let reason):
            "The sandbox data file \(path) could not be read (\(reason)). Move it away to start from a generated company."
        case .portInUse(let host, let port):
            "Port \(port) on \(host) is already in use (another sandbox?). Stop it, or choose another port with --port."
        }
    }
}
