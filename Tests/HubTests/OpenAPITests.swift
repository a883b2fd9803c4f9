import Foundation
@testable import Hub
import TestSupport
import Testing
import Vapor
import Yams

/// `openapi.yaml` describes every JSON route the hub serves, and nothing else (the dashboard's
/// HTML pages are not part of the API).
@Suite("openapi.yaml")
struct OpenAPITests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("openapi.yaml")

    @Test func describesExactlyTheRoutesTheHubServes() async throws {
        let document = try #require(try Yams.load(yaml: String(contentsOf: Self.file, encoding: .utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        var documented = Set<String>()
        for (path, item) in paths {
            for key in (item as? [String: Any] ?? [:]).keys where methods.contains(key) { documented.insert("\(key.uppercased()) \(path)") }
        }

        try await TestDatabases.withDatabase(.sqlite(path: ":memory:")) { app in
            let clients = PersonioClients { _, _ in fatalError("no Personio in this test") }
            try HubApp.mount(app, runner: SyncRunner(database: app.db, vault: try Vault(masterKey: Data(count: 32)), clients: clients,
                                                     now: { Date() }, scim: NoSCIMTransport()))
            let api = app.routes.all.filter { route in
                guard let first = route.path.first?.description else { return false }
                return ["api", "health", "metrics"].contains(first)
            }
            let served = Set(api.map { route in
                "\(route.method.rawValue) /" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
            })
            #expect(served == documented, """
                served but not documented: \(served.subtracting(documented).sorted()); \
                documented but not served: \(documented.subtracting(served).sorted())
                """)
            #expect(served.count >= 8)
        }
    }
}
