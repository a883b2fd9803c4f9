import AsyncHTTPClient
import Foundation
import Logging
import PersonioAPI
import Provisioning

/// What the hub's services, its sync runner, scheduler and dispatcher share, built once where the
/// hub starts (`HubApp.configure`): the vault, the Personio clients, the clock, the logger, the
/// metrics, how SCIM apps are reached and where a workspace's URLs may lead.
public struct HubEnvironment: Sendable {
    public var vault: Vault
    public var clients: PersonioClients
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Where runs are counted for `/metrics`.
    public var metrics: HubMetrics?
    /// How SCIM targets are reached.
    public var scimTransport: any SCIMTransport
    /// Where a workspace's URLs may lead (`rollcall serve` always sets it; nil: not checked, for
    /// tests and tools that work with their own loopback servers).
    public var outbound: OutboundGuard?

    public init(vault: Vault, clients: PersonioClients, now: @escaping @Sendable () -> Date, scimTransport: any SCIMTransport,
                logger: Logger = Logger(label: "rollcall.sync"), metrics: HubMetrics? = nil, outbound: OutboundGuard? = nil) {
        self.vault = vault
        self.clients = clients
        self.now = now
        self.logger = logger
        self.metrics = metrics
        self.scimTransport = scimTransport
        self.outbound = outbound
    }

    static func secretContext(_ source: SourceModel) -> String { "source:\(source.id?.uuidString ?? ""):client_secret" }

    /// The (shared) Personio client for a source, with its secret opened from the vault.
    func personioClient(for source: SourceModel) async throws -> PersonioClient {
        let secret = try vault.open(source.sealedClientSecret, context: Self.secretContext(source))
        return await clients.client(baseURL: source.baseURL, credentials: PersonioCredentials(
            clientID: source.clientID, clientSecret: secret, partnerID: source.partnerID, appID: source.appID), apiVersion: source.personioAPI)
    }
}
