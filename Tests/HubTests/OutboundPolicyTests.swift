import Foundation
@testable import Hub
import Testing
import TestSupport

/// The outbound policy decided on addresses as data: no test here sends a packet or asks a resolver.
@Suite("Outbound policy")
struct OutboundPolicyTests {
    /// A resolver that knows a few names and never touches the network.
    static let resolve: @Sendable (String) async throws -> [String] = { host in
        switch host {
        case "api.personio.de": ["3.64.10.20"]
        case "app.example": ["93.184.216.34"]
        case "internal.example": ["10.1.2.3"]
        case "sneaky.example": ["93.184.216.34", "127.0.0.1"]
        case "metadata.example": ["169.254.169.254"]
        case "localhost": ["127.0.0.1", "::1"]
        default: throw URLError(.cannotFindHost)
        }
    }

    func refusal(_ url: String, _ purpose: OutboundPolicy.Purpose = .scim,
                 policy: OutboundPolicy = .standard) async -> OutboundPolicy.Refusal? {
        do {
            _ = try await policy.check(url, for: purpose, resolve: Self.resolve)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8090/v1", "127.0.0.1", OutboundPolicy.AddressKind.loopback),
        ("http://127.9.9.9/", "127.9.9.9", .loopback),
        ("http://[::1]:8080/", "::1", .loopback),
        ("http://10.0.0.5/scim", "10.0.0.5", .private),
        ("http://172.20.1.1/", "172.20.1.1", .private),
        ("http://192.168.1.10/", "192.168.1.10", .private),
        ("http://100.64.0.1/", "100.64.0.1", .private),
        ("http://[fd12:3456::1]/", "fd12:3456::1", .private),
        ("http://169.254.10.10/", "169.254.10.10", .linkLocal),
        ("http://[fe80::1]/", "fe80::1", .linkLocal),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", .metadata),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254", .metadata),
        ("http://0.0.0.0:8080/", "0.0.0.0", .unspecified),
        ("http://[::]/", "::", .unspecified),
        ("http://224.0.0.1/", "224.0.0.1", .multicast),
        ("http://[ff02::1]/", "ff02::1", .multicast),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", .loopback),
        ("http://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe", .metadata),
    ])
    func refusesAddressesThatAreNotPublic(_ url: String, _ address: String, _ kind: OutboundPolicy.AddressKind) async {
        #expect(await refusal(url) == .address(host: address, address: address, kind: kind))
    }

    @Test(arguments: [
        ("http://2130706433/", "127.0.0.1"),       // decimal
        ("http://0177.0.0.1/", "127.0.0.1"),       // octal
        ("http://0x7f.0.0.1/", "127.0.0.1"),       // hex
        ("http://127.1/", "127.0.0.1"),            // short
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
    ])
    func refusesLegacySpellingsOfTheSameAddresses(_ url: String, _ address: String) async {
        guard case .address(_, let refused, _) = await refusal(url) else { Issue.record("\(url) passed"); return }
        #expect(refused == address)
    }

    @Test func aHostNameIsJudgedByEveryAddressItResolvesTo() async throws {
        #expect(await refusal("https://app.example/scim/v2") == nil)
        #expect(await refusal("https://internal.example/scim") == .address(host: "internal.example", address: "10.1.2.3", kind: .private))
        #expect(await refusal("https://sneaky.example/") == .address(host: "sneaky.example", address: "127.0.0.1", kind: .loopback))
        #expect(await refusal("http://metadata.example/") == .address(host: "metadata.example", address: "169.254.169.254", kind: .metadata))
        #expect(await refusal("http://localhost:8090/") == .address(host: "localhost", address: "127.0.0.1", kind: .loopback))
        guard case .unresolvable = await refusal("https://nowhere.example/") else { Issue.record("an unknown host passed"); return }
        // the addresses checked are the ones to connect to
        let destination = try await OutboundPolicy.standard.check("https://app.example/x", for: .webhook, resolve: Self.resolve)
        #expect(destination.addresses == ["93.184.216.34"])
    }

    @Test func onlyHttpAndHttpsAreCalled() async {
        #expect(await refusal("ftp://app.example/") == .scheme("ftp"))
        #expect(await refusal("file:///etc/passwd") == .scheme("file"))
        #expect(await refusal("gopher://app.example:70/") == .scheme("gopher"))
        guard case .malformed = await refusal("not a url") else { Issue.record("not a URL passed"); return }
    }

    @Test func personioSourcesGoToPersonioUnlessTheOperatorAllowsMore() async {
        #expect(await refusal("https://api.personio.de/v1", .personio) == nil)
        #expect(await refusal("https://app.example/v1", .personio) == .notPersonio(host: "app.example"))
        #expect(await refusal("http://127.0.0.1:8090/v1", .personio) == .notPersonio(host: "127.0.0.1"))
        let sandbox = OutboundPolicy(allowedNetworks: [IPNetwork("127.0.0.1")!])
        #expect(await refusal("http://127.0.0.1:8090/v1", .personio, policy: sandbox) == nil)
        #expect(await refusal("http://localhost:8090/v1", .personio, policy: sandbox) == .notPersonio(host: "localhost"),
                "::1 is not in the allowed network")
        let proxy = OutboundPolicy(allowedHosts: ["internal.example"])
        #expect(await refusal("https://internal.example/v1", .personio, policy: proxy) == nil)
    }

    @Test func theAllowListAcceptsHostsAndNetworksAndNamesWhatItCannotRead() throws {
        let policy = try OutboundPolicy(allowList: " 127.0.0.1, 10.0.0.0/8 ,scim.internal,fd00::/8")
        #expect(policy.allowedHosts == ["scim.internal"])
        #expect(policy.allowedNetworks.map(\.description) == ["127.0.0.1", "10.0.0.0/8", "fd00:0:0:0:0:0:0:0/8"])
        #expect(throws: OutboundPolicy.Refusal.malformed("http://x/")) { try OutboundPolicy(allowList: "http://x/") }
        #expect(throws: OutboundPolicy.Refusal.malformed("10.0.0.0/40")) { try OutboundPolicy(allowList: "10.0.0.0/40") }
    }

    @Test func anAllowedNetworkOrHostPassesAndTheRefusalSaysHowToAllow() async {
        let policy = OutboundPolicy(allowedHosts: ["internal.example"], allowedNetworks: [IPNetwork("127.0.0.0/8")!])
        #expect(await refusal("http://127.0.0.1:9000/scim", policy: policy) == nil)
        #expect(await refusal("https://internal.example/scim", policy: policy) == nil)
        #expect(await refusal("http://10.0.0.1/", policy: policy) != nil)
        let text = OutboundPolicy.Refusal.address(host: "10.0.0.1", address: "10.0.0.1", kind: .private).description
        #expect(text.contains("private address") && text.contains("ROLLCALL_OUTBOUND_ALLOW=10.0.0.1"))
    }

    @Test func aHostIsResolvedOnceAMinuteAndAChangedAnswerIsCheckedAgain() async throws {
        final class Resolver: @unchecked Sendable {
            let lock = NSLock()
            var calls = 0
            var answer = ["93.184.216.34"]
            func resolve(_ host: String) -> [String] { lock.withLock { calls += 1; return answer } }
        }
        let resolver = Resolver()
        let clock = ManualClock()
        let guardian = OutboundGuard(policy: .standard, resolve: { resolver.resolve($0) }, now: clock.provider)
        try await guardian.check("https://app.example/a", purpose: .webhook)
        try await guardian.check("https://app.example/b", purpose: .webhook)
        #expect(resolver.calls == 1)
        // the name now points inside: after the minute it is resolved again and refused
        resolver.lock.withLock { resolver.answer = ["10.0.0.7"] }
        clock.advance(by: 61)
        await #expect(throws: OutboundPolicy.Refusal.address(host: "app.example", address: "10.0.0.7", kind: .private)) {
            try await guardian.check("https://app.example/c", purpose: .webhook)
        }
        #expect(resolver.calls == 2)
        await guardian.shutdown()
    }
}
