import AsyncHTTPClient
import Foundation
import NIOCore
import PersonioAPI
import Provisioning
#if canImport(Glibc)
import Glibc
#endif

/// Sends a workspace's requests only where the outbound policy allows, and to the very addresses it
/// checked: a host name is resolved once, checked, and the connection is made to that address (the
/// host still names the TLS certificate), so a DNS answer that changes between the check and the
/// connection cannot lead anywhere else. No redirect is followed.
public final class OutboundGuard: Sendable {
    public let policy: OutboundPolicy
    let resolve: @Sendable (String) async throws -> [String]
    private let clients = PinnedClients()

    /// `resolve`: host name → addresses; its answers are kept for a minute (a full listing asks
    /// Personio a thousand times; each answer is checked, and connections go where it was checked).
    public init(policy: OutboundPolicy, resolve: @escaping @Sendable (String) async throws -> [String] = OutboundGuard.systemResolve,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        let cache = ResolutionCache(now: now)
        self.resolve = { host in try await cache.addresses(of: host, resolve: resolve) }
    }

    /// Checks `url` and returns the client to send it with, bound to the checked address.
    public func client(for url: String, purpose: OutboundPolicy.Purpose) async throws(OutboundPolicy.Refusal) -> HTTPClient {
        let destination = try await policy.check(url, for: purpose, resolve: resolve)
        return await clients.client(host: destination.host, address: destination.addresses.first)
    }

    /// Checks `url` without sending anything (a field's 422 before it is stored).
    public func check(_ url: String, purpose: OutboundPolicy.Purpose) async throws(OutboundPolicy.Refusal) {
        _ = try await policy.check(url, for: purpose, resolve: resolve)
    }

    /// Closes every connection; call once, when the hub stops.
    public func shutdown() async {
        await clients.shutdown()
    }

    /// The system's resolver (getaddrinfo on a background thread), addresses as text.
    public static let systemResolve: @Sendable (String) async throws -> [String] = { host in
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, nil, &hints, &list)
                guard status == 0, let first = list else {
                    continuation.resume(throwing: ResolveError(message: String(cString: gai_strerror(status))))
                    return
                }
                defer { freeaddrinfo(first) }
                var addresses: [String] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let current = node {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                                   NI_NUMERICHOST) == 0 {
                        let text = String(cString: buffer)
                        if !addresses.contains(text) { addresses.append(text) }
                    }
                    node = current.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }

    struct ResolveError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// HTTP clients that follow no redirect, one per host and checked address (AsyncHTTPClient pins a
/// host to an address per client), at most `capacity`; the oldest is closed when more are needed.
actor PinnedClients {
    private var clients: [String: HTTPClient] = [:]
    private var order: [String] = []
    private let capacity = 128

    func client(host: String, address: String?) -> HTTPClient {
        let key = address.map { "\(host)\u{1F}\($0)" } ?? ""
        if let client = clients[key] { return client }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10))
        if let address { configuration.dnsOverride = [host: address] }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        clients[key] = client
        order.append(key)
        if order.count > capacity, let oldest = order.first, oldest != key, let retired = clients.removeValue(forKey: oldest) {
            order.removeFirst()
            // requests still under way on it finish first
            Task { try? await retired.shutdown() }
        }
        return client
    }

    func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
        clients = [:]
        order = []
    }
}

/// Personio requests through the outbound guard.
public struct GuardedPersonioTransport: PersonioTransport {
    let guardian: OutboundGuard

    public init(_ guardian: OutboundGuard) {
        self.guardian = guardian
    }

    public func send(_ request: PersonioHTTPRequest, timeout: Duration) async throws -> PersonioHTTPResponse {
        let client: HTTPClient
        do { client = try await guardian.client(for: request.url, purpose: .personio) } catch { throw RefusedDestination(refusal: error) }
        return try await AsyncHTTPClientTransport(client: client).send(request, timeout: timeout)
    }
}

/// SCIM requests through the outbound guard.
public struct GuardedSCIMTransport: SCIMTransport {
    let guardian: OutboundGuard

    public init(_ guardian: OutboundGuard) {
        self.guardian = guardian
    }

    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async throws
        -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        let client: HTTPClient
        do { client = try await guardian.client(for: url, purpose: .scim) } catch { throw RefusedDestination(refusal: error) }
        return try await AsyncHTTPClientSCIMTransport(client: client).send(method: method, url: url, headers: headers, body: body, timeout: timeout)
    }
}

/// A request the outbound policy did not let out: never retried, explained as the policy says.
public struct RefusedDestination: PersonioTransportRefusal, CustomStringConvertible {
    public let refusal: OutboundPolicy.Refusal
    public var description: String { refusal.description }
}

/// Answers of the resolver, kept `lifetime` seconds.
actor ResolutionCache {
    private var answers: [String: (addresses: [String], at: Date)] = [:]
    private let now: @Sendable () -> Date
    private let lifetime: TimeInterval = 60

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    func addresses(of host: String, resolve: @Sendable (String) async throws -> [String]) async throws -> [String] {
        if let kept = answers[host], now().timeIntervalSince(kept.at) < lifetime { return kept.addresses }
        let fresh = try await resolve(host)
        if answers.count > 1_000 { answers = [:] }
        answers[host] = (fresh, now())
        return fresh
    }
}
