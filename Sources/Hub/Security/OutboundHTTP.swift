import AsyncHTTPClient
import PersonioAPI
import Provisioning

/// How the hub's requests leave it — to Personio, to SCIM apps and to webhook receivers: through the
/// outbound policy (`rollcall serve`: each address checked, a client per destination), or straight
/// through one HTTP client (tests and tools that talk to their own loopback servers). Built once
/// where the hub starts and handed to what sends; nothing falls back to a process-wide client.
public enum OutboundHTTP: Sendable {
    case guarded(OutboundGuard)
    case direct(HTTPClient)

    /// The client for one request to `url`; refused when the policy does not let it out.
    func client(for url: String, purpose: OutboundPolicy.Purpose) async throws(OutboundPolicy.Refusal) -> HTTPClient {
        switch self {
        case .guarded(let guardian): try await guardian.client(for: url, purpose: purpose)
        case .direct(let client): client
        }
    }

    /// Personio requests, sent this way.
    public var personio: any PersonioTransport {
        switch self {
        case .guarded(let guardian): GuardedPersonioTransport(guardian)
        case .direct(let client): AsyncHTTPClientTransport(client: client)
        }
    }

    /// SCIM requests, sent this way.
    public var scim: any SCIMTransport {
        switch self {
        case .guarded(let guardian): GuardedSCIMTransport(guardian)
        case .direct(let client): AsyncHTTPClientSCIMTransport(client: client)
        }
    }
}
