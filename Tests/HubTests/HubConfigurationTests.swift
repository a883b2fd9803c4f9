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
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_TIME_ZONE": "Mars/Olympus"], "ROLLCALL_TIME_ZONE"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_ADMIN_TOKEN": "short"], "ROLLCALL_ADMIN_TOKEN"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_LOG_FORMAT": "xml"], "ROLLCALL_LOG_FORMAT"),
            (["ROLLCALL_MASTER_KEY": key, "ROLLCALL_LOG_LEVEL": "loud"], "ROLLCALL_LOG_LEVEL"),
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
