import Foundation

/// How a sandbox starts: its data, its default credential and admin token, its limits and clock.
public struct SandboxConfiguration: Sendable {
    public var employeeCount: Int
    public var seed: UInt64
    /// JSON file to load from and save to; nil keeps everything in memory.
    public var dataFile: String?
    /// The default credential (reads every attribute, may write).
    public var clientId: String
    public var clientSecret: String
    /// Bearer token for `/sandbox/…`.
    public var adminToken: String
    /// Personio's rate limits; off for benchmarks.
    public var limitsEnabled: Bool
    /// The company's time zone, in which dates are rendered and naive timestamps read.
    public var timeZone: TimeZone
    /// The sandbox's notion of now. Tests inject a clock they move by hand.
    public var now: @Sendable () -> Date
    /// Largest request body accepted.
    public var maxBodyBytes: Int

    public init(
        employeeCount: Int = 250, seed: UInt64 = 1, dataFile: String? = nil,
        clientId: String, clientSecret: String, adminToken: String,
        limitsEnabled: Bool = true, timeZone: TimeZone = TimeZone(identifier: "Europe/Berlin") ?? .current,
        now: @escaping @Sendable () -> Date = { Date() }, maxBodyBytes: Int = 1_048_576
    ) {
        self.employeeCount = employeeCount
        self.seed = seed
        self.dataFile = dataFile
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.adminToken = adminToken
        self.limitsEnabled = limitsEnabled
        self.timeZone = timeZone
        self.now = now
        self.maxBodyBytes = maxBodyBytes
    }

    /// A random hex string for generated ids, secrets and tokens.
    public static func randomToken(bytes count: Int = 16) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
