import Crypto
import Foundation
import Vapor

/// `GET /api/v1/hub/health` for the operator (admin token): the instances sharing the database,
/// the backlog of due connections and how late runs start.
struct HubHealthRoutes: RouteCollection {
    let adminDigest: SHA256.Digest?
    let health: HubHealthService

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(AdminAuthenticator(digest: adminDigest)).on(.GET, .hubHealth, use: show)
    }

    struct HealthView: Encodable {
        struct Instance: Encodable {
            var name: String
            var startedAt: Date
            var seenAt: Date
            var alive: Bool
            var concurrency: Int
            var runsInFlight: Int
            var scheduleLagP50Seconds: Double?
            var scheduleLagP95Seconds: Double?
        }

        var instances: [Instance]
        var connections: Int
        var paused: Int
        var running: Int
        var waiting: Int
        var oldestWaitingSeconds: Double
    }

    func show(_ request: Request) async throws -> Response {
        let report = try await health.report()
        return try API.encode(HealthView(instances: report.instances.map {
            .init(name: $0.name, startedAt: $0.startedAt, seenAt: $0.seenAt, alive: $0.alive, concurrency: $0.concurrency,
                  runsInFlight: $0.runsInFlight, scheduleLagP50Seconds: $0.scheduleLagP50, scheduleLagP95Seconds: $0.scheduleLagP95)
        }, connections: report.connections, paused: report.paused, running: report.running, waiting: report.waiting,
           oldestWaitingSeconds: report.oldestWaitingSeconds), status: .ok)
    }
}
