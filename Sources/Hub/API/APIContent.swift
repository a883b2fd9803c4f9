import Vapor

/// An answer of the API: encoded with `HubJSON`, status 200 (`API.encode` for another status).
protocol APIContent: Content {}

extension APIContent {
    func encodeResponse(for request: Request) async throws -> Response {
        try API.encode(self, status: .ok)
    }

    func encodeResponse(for request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeCompletedFuture(withResultOf: { try API.encode(self, status: .ok) })
    }
}
