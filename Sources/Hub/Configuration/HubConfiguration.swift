import Foundation
import Logging

/// Everything the hub reads from the environment at start-up, typed. A missing or malformed
/// variable stops start-up with an error naming it; `.env.example` documents each one.
public struct HubConfiguration: Sendable, Equatable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var database: Database
    /// 32-byte key that encrypts Personio and SCIM secrets at rest; nil only where the caller
    /// allows it (the demo generates one per run).
    public var masterKey: Data?
    public var host: String
    public var port: Int
    /// The workspace time zone used when a workspace names none.
    public var defaultTimeZone: TimeZone
    /// Bearer token for `/api/v1/workspaces` (the operator's); nil turns those routes off.
    public var adminToken: String?

    /// How log lines look (`ROLLCALL_LOG_FORMAT`) and the least severe level written (`ROLLCALL_LOG_LEVEL`,
    /// nil: the command's default).
    public var logFormat: HubLogHandler.Format
    public var logLevel: Logger.Level?
    /// Proxies whose `X-Forwarded-*` headers are believed (`ROLLCALL_TRUSTED_PROXIES`); none by default.
    public var trustedProxies: TrustedProxies
    /// Where workspaces' URLs may lead (`ROLLCALL_OUTBOUND_ALLOW` adds hosts and networks).
    public var outbound: OutboundPolicy
    /// Sources one instance syncs at once (`ROLLCALL_SYNC_CONCURRENCY`; default four per core, at least 4).
    public var syncConcurrency: Int

    public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
        public let variable: String
        public let problem: String
        public var description: String { "\(variable): \(problem)" }
    }

    /// Reads the configuration; `requireMasterKey` is false only for `rollcall demo`.
    public init(environment: [String: String], requireMasterKey: Bool = true) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }

        database = try Self.database(value("ROLLCALL_DATABASE_URL"))
        masterKey = try Self.masterKey(value("ROLLCALL_MASTER_KEY"), required: requireMasterKey)

        host = value("ROLLCALL_HOST") ?? "127.0.0.1"
        if let text = value("ROLLCALL_PORT") {
            guard let number = Int(text), (1...65_535).contains(number) else {
                throw ConfigurationError(variable: "ROLLCALL_PORT", problem: "must be a port number between 1 and 65535")
            }
            port = number
        } else {
            port = 8080
        }
        let zoneName = value("ROLLCALL_TIME_ZONE") ?? "Europe/Berlin"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(variable: "ROLLCALL_TIME_ZONE", problem: "\(zoneName) is not an IANA time zone such as Europe/Berlin")
        }
        defaultTimeZone = zone

        (logFormat, logLevel) = try Self.logging(environment: environment)

        trustedProxies = try Self.trustedProxies(value("ROLLCALL_TRUSTED_PROXIES"))
        do { outbound = try OutboundPolicy(allowList: value("ROLLCALL_OUTBOUND_ALLOW") ?? "") } catch {
            throw ConfigurationError(variable: "ROLLCALL_OUTBOUND_ALLOW",
                                     problem: "\(error.description); list host names, addresses or networks, e.g. 127.0.0.1,scim.internal,10.0.0.0/8")
        }

        if let text = value("ROLLCALL_SYNC_CONCURRENCY") {
            guard let number = Int(text), (1...256).contains(number) else {
                throw ConfigurationError(variable: "ROLLCALL_SYNC_CONCURRENCY",
                                         problem: "must be a whole number between 1 and 256 (sources one instance syncs at once)")
            }
            syncConcurrency = number
        } else {
            syncConcurrency = Scheduler.defaultConcurrency
        }

        if let token = value("ROLLCALL_ADMIN_TOKEN") {
            guard token.count >= 24 else {
                throw ConfigurationError(variable: "ROLLCALL_ADMIN_TOKEN",
                                         problem: "must be at least 24 characters (e.g. `openssl rand -base64 32`)")
            }
            adminToken = token
        } else {
            adminToken = nil
        }
    }

    /// `ROLLCALL_DATABASE_URL`: PostgreSQL or an SQLite file (unset: ./rollcall.sqlite).
    static func database(_ url: String?) throws(ConfigurationError) -> Database {
        switch url {
        case nil:
            return .sqlite(path: "./rollcall.sqlite")
        case let url? where url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"):
            return .postgres(url: url)
        case let url? where url.hasPrefix("sqlite://"):
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw ConfigurationError(variable: "ROLLCALL_DATABASE_URL", problem: "sqlite:// needs a file path, e.g. sqlite://./rollcall.sqlite")
            }
            return .sqlite(path: path)
        case .some:
            throw ConfigurationError(variable: "ROLLCALL_DATABASE_URL",
                                     problem: "must start with postgres://, postgresql:// or sqlite:// (unset means ./rollcall.sqlite)")
        }
    }

    /// `ROLLCALL_MASTER_KEY`: 32 bytes, base64-encoded; required unless `required` is false.
    static func masterKey(_ encoded: String?, required: Bool) throws(ConfigurationError) -> Data? {
        if let encoded {
            guard let key = Data(base64Encoded: encoded), key.count == 32 else {
                throw ConfigurationError(variable: "ROLLCALL_MASTER_KEY",
                                         problem: "must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)")
            }
            return key
        }
        guard !required else {
            throw ConfigurationError(variable: "ROLLCALL_MASTER_KEY",
                                     problem: "is required to encrypt credentials at rest; create one with `openssl rand -base64 32`")
        }
        return nil
    }

    /// `ROLLCALL_TRUSTED_PROXIES`: addresses or networks whose `X-Forwarded-For` is believed.
    static func trustedProxies(_ list: String?) throws(ConfigurationError) -> TrustedProxies {
        var proxies: [IPNetwork] = []
        for item in (list ?? "").split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let network = IPNetwork(String(item)) else {
                throw ConfigurationError(variable: "ROLLCALL_TRUSTED_PROXIES",
                                         problem: "\(item.trimmingCharacters(in: .whitespaces)) is not an IP address or network such as 10.0.0.0/8")
            }
            proxies.append(network)
        }
        return TrustedProxies(proxies)
    }

    /// The logging settings alone: read before anything else, so even a configuration error is
    /// logged the way the operator asked.
    public static func logging(environment: [String: String]) throws(ConfigurationError) -> (HubLogHandler.Format, Logger.Level?) {
        let formatText = environment["ROLLCALL_LOG_FORMAT"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard let format = formatText.isEmpty ? .text : HubLogHandler.Format(rawValue: formatText) else {
            throw ConfigurationError(variable: "ROLLCALL_LOG_FORMAT", problem: "must be text or json")
        }
        let levelText = environment["ROLLCALL_LOG_LEVEL"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard levelText.isEmpty || Logger.Level(rawValue: levelText) != nil else {
            throw ConfigurationError(variable: "ROLLCALL_LOG_LEVEL",
                                     problem: "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return (format, Logger.Level(rawValue: levelText))
    }
}
