import Foundation
import Vapor

/// The proxies in front of the hub whose `X-Forwarded-For`, `-Proto` and `-Host` headers are
/// believed (`ROLLCALL_TRUSTED_PROXIES`). From anyone else those headers are ignored: a client could
/// otherwise pick its own address (to dodge the sign-in limit) or the host of invitation links.
public struct TrustedProxies: Sendable, Equatable {
    public var networks: [IPNetwork]

    public init(_ networks: [IPNetwork] = []) {
        self.networks = networks
    }

    public static let none = TrustedProxies()

    func trusts(_ address: String) -> Bool { networks.contains { $0.contains(address) } }

    /// The client's address: the peer's, or — when the peer is a trusted proxy — the nearest
    /// address in `X-Forwarded-For` that is not one of the trusted proxies.
    func clientAddress(_ request: Request) -> String {
        let peer = request.remoteAddress?.ipAddress ?? "unknown"
        guard trusts(peer) else { return peer }
        let hops = request.headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusts(hop) {
            return IPNetwork.bytes(of: hop) != nil ? hop : peer
        }
        return hops.first.flatMap { IPNetwork.bytes(of: $0) != nil ? $0 : nil } ?? peer
    }

    /// `scheme://host` as the browser used it: the proxy's word when the peer is trusted, the
    /// request's own otherwise.
    func origin(_ request: Request) -> String {
        let peer = request.remoteAddress?.ipAddress ?? ""
        let forwarded = trusts(peer)
        let host = (forwarded ? request.headers.first(name: "X-Forwarded-Host") : nil) ?? request.headers.first(name: .host) ?? "localhost"
        let scheme = (forwarded ? request.headers.first(name: "X-Forwarded-Proto") : nil) ?? request.url.scheme ?? "http"
        return "\(scheme)://\(host)"
    }
}
