import Foundation
import Hub
import Testing

@Suite("Hub configuration")
struct HubConfigurationTests {
    private let key = Data(repeating: 7, count: 32).base64EncodedString()

    @Test func defaultsToSQLiteBerlinAndPort8080() throws {
        let configuration = try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key])
        #expect(configuration.database == .sqlite(path: "./rollcall.sqlite"))
        #expect(configuration.port == 8080)
        #expect(configuration.defaultTimeZone.identifier == "Europe/Berlin")
        #expect(configuration.masterKey?.count == 32)
        #expect(configuration.syncConcurrency == max(4, ProcessInfo.processInfo.activeProcessorCount * 4))
        #expect(try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key, "ROLLCALL_SYNC_CONCURRENCY": "32"]).syncConcurrency == 32)
    }

    @Test func trustsNoProxyUnlessToldAndReadsAddressesAndNetworks() throws {
        #expect(try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key]).trustedProxies.networks.isEmpty)
        let configured = try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key,
                                                            "ROLLCALL_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1 ,fd00::/8"])
        #expect(configured.trustedProxies.networks.map(\.description) == ["10.0.0.0/8", "127.0.0.1", "fd00:0:0:0:0:0:0:0/8"])
        let network = try #require(IPNetwork("10.0.0.0/8"))
        #expect(network.contains("10.200.3.4") && network.contains("::ffff:10.1.1.1"))
        #expect(!network.contains("11.0.0.1") && !network.contains("example.com") && !network.contains("fd00::1"))
    }

    @Test func readsPostgresAndSQLiteURLs() throws {
        let postgres = try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key, "ROLLCALL_DATABASE_URL": "postgres://u:p@localhost/rollcall"])
        #expect(postgres.database == .postgres(url: "postgres://u:p@localhost/rollcall"))
        let sqlite = try HubConfiguration(environment: ["ROLLCALL_MASTER_KEY": key, "ROLLCALL_DATABASE_URL": "sqlite:///var/lib/rollcall.db"])
        #expect(sqlite.database == .sqlite(path: "/var/lib/rollcall.db"))
    }

    @Test func namesTheVariableThatIsMissingOrMalformed() {
        let cases: [([String: String], String)] = [
            ([:], "ROLLCALL_MASTER_KEY"),
            (["ROLLCALL_MASTER_KEY": "c2hvcnQ="], "ROLLCALL_MASTER_KEY"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_DATABASE_URL": "mysql://x"], "ROLLCALL_DATABASE_URL"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_PORT": "80000"], "ROLLCALL_PORT"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_SYNC_CONCURRENCY": "0"], "ROLLCALL_SYNC_CONCURRENCY"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_SYNC_CONCURRENCY": "many"], "ROLLCALL_SYNC_CONCURRENCY"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_TIME_ZONE": "Mars/Olympus"], "ROLLCALL_TIME_ZONE"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_ADMIN_TOKEN": "short"], "ROLLCALL_ADMIN_TOKEN"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_LOG_FORMAT": "xml"], "ROLLCALL_LOG_FORMAT"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_LOG_LEVEL": "loud"], "ROLLCALL_LOG_LEVEL"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"], "ROLLCALL_TRUSTED_PROXIES"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_TRUSTED_PROXIES": "10.0.0.0/33"], "ROLLCALL_TRUSTED_PROXIES"),
        ]
        for (environment, variable) in cases {
            #expect(throws: HubConfiguration.ConfigurationError.self) { try HubConfiguration(environment: environment) }
            do {
                _ = try HubConfiguration(environment: environment)
            } catch {
                #expect(error.variable == variable)
            }
        }
    }

    @Test func theDemoMayRunWithoutAMasterKey() throws {
        #expect(try HubConfiguration(environment: [:], requireMasterKey: false).masterKey == nil)
    }
}
