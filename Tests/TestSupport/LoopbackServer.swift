import Foundation
import Logging
import Vapor

/// Runs `body` with a Vapor server on a free loopback port, its routes set up by `routes`; `body`
/// gets its base URL. The server is shut down however `body` ends.
public func withLoopbackServer<T>(_ routes: (Application) -> Void, _ body: (String) async throws -> T) async throws -> T {
    var logger = Logger(label: "rollcall.test.loopback")
    logger.logLevel = .critical
    let app = try await Application.make(.testing)
    app.logger = logger
    routes(app)
    do {
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw HarnessError("the loopback server has no port") }
        let result = try await body("http://127.0.0.1:\(port)")
        await app.server.shutdown()
        try await app.asyncShutdown()
        return result
    } catch {
        await app.server.shutdown()
        try? await app.asyncShutdown()
        throw error
    }
}

/// A loopback listener that answers 200 to everything and counts what reached it.
public final class CountingListener: @unchecked Sendable {
    private let lock = NSLock()
    private var seen = 0

    public init() {}

    public var requests: Int { lock.withLock { seen } }

    public func routes(_ app: Application) {
        for method in [HTTPMethod.GET, .POST, .PUT, .PATCH, .DELETE] {
            app.on(method, "**") { [self] _ in
                lock.withLock { seen += 1 }
                return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: "{}"))
            }
        }
    }
}
