import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the hub may send requests on a tenant's behalf (Personio, SCIM apps, webhook endpoints):
/// by default only to public addresses over http(s), and for Personio sources only to Personio's
/// own API hosts. The operator allows more with `ROLLCALL_OUTBOUND_ALLOW` (hosts or networks): the
/// demo and the tests allow their loopback sandbox, a single-company install its internal SCIM app.
/// Decided on addresses as data; the caller connects to the addresses that were checked.
public struct OutboundPolicy: Sendable, Equatable {
    /// Host names the operator allows whatever they resolve to (lower-cased).
    public var allowedHosts: Set<String>
    /// Networks the operator allows although they are loopback, private, link-local, ….
    public var allowedNetworks: [IPNetwork]

    /// Personio's API hosts: a source may point anywhere else only with the operator's allowance.
    public static let personioHosts: Set<String> = ["api.personio.de"]

    public init(allowedHosts: Set<String> = [], allowedNetworks: [IPNetwork] = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.allowedNetworks = allowedNetworks
    }

    /// Refuses what multi-tenant safety refuses; nothing extra allowed.
    public static let standard = OutboundPolicy()

    /// Reads `ROLLCALL_OUTBOUND_ALLOW`: comma-separated host names, addresses and networks.
    public init(allowList text: String) throws(Refusal) {
        var hosts: Set<String> = []
        var networks: [IPNetwork] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            if let network = IPNetwork(item) {
                networks.append(network)
            } else if item.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }), !item.hasPrefix("."), !item.hasSuffix(".") {
                hosts.insert(item.lowercased())
            } else {
                throw .malformed(item)
            }
        }
        self.init(allowedHosts: hosts, allowedNetworks: networks)
    }

    /// What a request is for: Personio sources are held to Personio's hosts.
    public enum Purpose: Sendable, Equatable {
        case personio, scim, webhook
    }

    /// What kind of address was refused.
    public enum AddressKind: String, Sendable, Equatable {
        case loopback, `private` = "private", linkLocal = "link-local", metadata = "cloud metadata", unspecified
        case multicast, reserved = "reserved"
    }

    /// Why a URL is refused, in words for the field's error.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case scheme(String)
        case address(host: String, address: String, kind: AddressKind)
        case notPersonio(host: String)
        case unresolvable(host: String, reason: String)

        public var description: String {
            let allow = "The operator of this Rollcall can allow it with ROLLCALL_OUTBOUND_ALLOW"
            switch self {
            case .malformed(let text):
                return "\(text) is not a URL, host name, address or network"
            case .scheme(let scheme):
                return "only http and https URLs are called, not \(scheme.isEmpty ? "a URL without a scheme" : scheme + ":")"
            case .address(let host, let address, let kind):
                let target = host == address ? address : "\(host) (\(address))"
                return "\(target) is a \(kind.rawValue) address, which Rollcall does not call on a workspace's behalf. \(allow)=\(address)."
            case .notPersonio(let host):
                return "\(host) is not Personio's API (\(OutboundPolicy.personioHosts.sorted().joined(separator: ", "))). "
                    + "\(allow)=\(host) (e.g. for a sandbox or a proxy)."
            case .unresolvable(let host, let reason):
                return "\(host) cannot be resolved: \(reason)"
            }
        }
    }

    /// A URL that passed: its host and port, and the addresses to connect to (the ones checked).
    public struct Destination: Sendable, Equatable {
        public var host: String
        /// The checked addresses; empty when the host is an address itself (then it is the one).
        public var addresses: [String]
    }

    /// Checks `url` for `purpose`; `resolve` turns a host name into addresses (injected: tests
    /// resolve without a network).
    public func check(_ url: String, for purpose: Purpose,
                      resolve: @Sendable (String) async throws -> [String]) async throws(Refusal) -> Destination {
        guard let components = URLComponents(string: url), let rawHost = components.host, !rawHost.isEmpty else {
            if let scheme = URLComponents(string: url)?.scheme?.lowercased(), !["http", "https"].contains(scheme) { throw .scheme(scheme) }
            throw .malformed(url)
        }
        let scheme = components.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else { throw .scheme(scheme) }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let hostAllowed = allowedHosts.contains(host)
        if let literal = Self.literalAddress(host) {
            // an address written as the host, in any spelling (127.1, 0177.0.0.1, 2130706433, ::ffff:7f00:1)
            if purpose == .personio, !hostAllowed, !isAllowed(literal) { throw .notPersonio(host: host) }
            try checkAddress(literal, host: host, hostAllowed: hostAllowed)
            return Destination(host: host, addresses: [])
        }
        if purpose == .personio, !hostAllowed, !Self.personioHosts.contains(host) {
            // a host the operator did not name may still sit in an allowed network
            let addresses = try await addresses(of: host, resolve: resolve)
            guard addresses.allSatisfy(isAllowed) else { throw .notPersonio(host: host) }
            return Destination(host: host, addresses: addresses)
        }
        let addresses = try await addresses(of: host, resolve: resolve)
        for address in addresses { try checkAddress(address, host: host, hostAllowed: hostAllowed) }
        return Destination(host: host, addresses: addresses)
    }

    private func addresses(of host: String, resolve: @Sendable (String) async throws -> [String]) async throws(Refusal) -> [String] {
        let found: [String]
        do { found = try await resolve(host) } catch { throw .unresolvable(host: host, reason: "\(error)") }
        guard !found.isEmpty else { throw .unresolvable(host: host, reason: "no address") }
        return found
    }

    private func isAllowed(_ address: String) -> Bool { allowedNetworks.contains { $0.contains(address) } }

    private func checkAddress(_ address: String, host: String, hostAllowed: Bool) throws(Refusal) {
        guard !hostAllowed, !isAllowed(address), let kind = Self.kind(of: address) else { return }
        throw .address(host: host, address: address, kind: kind)
    }

    // MARK: Addresses as data

    /// The address a host names when it is an address: the usual spellings (inet_pton) and the
    /// legacy IPv4 ones resolvers still accept (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`, `2130706433`).
    static func literalAddress(_ host: String) -> String? {
        if IPNetwork.bytes(of: host) != nil { return host }
        guard host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }) else { return nil }
        var address = in_addr()
        guard inet_aton(host, &address) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        return bytes.map(String.init).joined(separator: ".")
    }

    /// Why an address is not public, or nil when it is.
    static func kind(of address: String) -> AddressKind? {
        guard let bytes = IPNetwork.bytes(of: address) else { return .reserved }
        for (network, kind) in refused where network.bytes.count == bytes.count && network.contains(address) { return kind }
        return nil
    }

    /// Every range refused by default, the more specific first.
    static let refused: [(IPNetwork, AddressKind)] = [
        ("169.254.169.254", .metadata), ("100.100.100.200", .metadata), ("fd00:ec2::254", .metadata),
        ("0.0.0.0/8", .unspecified), ("10.0.0.0/8", .private), ("100.64.0.0/10", .private), ("127.0.0.0/8", .loopback),
        ("169.254.0.0/16", .linkLocal), ("172.16.0.0/12", .private), ("192.0.0.0/24", .reserved), ("192.168.0.0/16", .private),
        ("198.18.0.0/15", .reserved), ("224.0.0.0/4", .multicast), ("240.0.0.0/4", .reserved),
        ("::/128", .unspecified), ("::1/128", .loopback), ("::/96", .reserved), ("fc00::/7", .private), ("fe80::/10", .linkLocal), ("ff00::/8",
                                                                                                                                    .multicast),
        ("64:ff9b::/96", .reserved), ("2001:db8::/32", .reserved),
    ].compactMap { text, kind in IPNetwork(text).map { ($0, kind) } }
}
