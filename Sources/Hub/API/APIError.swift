import Vapor

/// The API's errors: `{"error":{"code","message","field"}}` with a 4xx status.
public struct APIError: AbortError, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var field: String?

    public var reason: String { message }

    public static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "No \(what) with that id in this workspace.")
    }

    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(status: .unprocessableEntity, code: "invalid", message: message, field: field)
    }

    public static let unauthorized = APIError(status: .unauthorized, code: "unauthorized",
                                              message: "Send a workspace API token as `Authorization: Bearer rc_…` (create one with `rollcall token create`).")
}

/// Turns every error into the JSON error body; an unexpected one becomes a 500 without internals.
struct APIErrorMiddleware: AsyncMiddleware {
    struct Body: Content {
        struct Detail: Content {
            var code: String
            var message: String
            var field: String?
        }

        var error: Detail
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let detail: Body.Detail
            let status: HTTPResponseStatus
            switch error {
            case let error as APIError:
                (status, detail) = (error.status, Body.Detail(code: error.code, message: error.message, field: error.field))
            case let error as DecodingError:  // before AbortError: Vapor makes DecodingError one, without the field
                (status, detail) = (.badRequest, Body.Detail(code: "bad_request", message: Self.describe(error), field: Self.field(error)))
            case let error as any AbortError:
                let code = error.status == .notFound ? "not_found" : error.status.code < 500 ? "bad_request" : "internal"
                (status, detail) = (error.status, Body.Detail(code: code, message: error.reason, field: nil))
            default:
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                (status, detail) = (.internalServerError, Body.Detail(code: "internal", message: "Something went wrong on our side.", field: nil))
            }
            let response = Response(status: status)
            try response.content.encode(Body(error: detail))
            return response
        }
    }

    static func field(_ error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: return nil
        }
        return path.isEmpty ? nil : path.map(\.stringValue).joined(separator: ".")
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "\(key.stringValue) is required"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        case .dataCorrupted: "the body is not valid JSON"
        @unknown default: "the body cannot be read"
        }
    }
}
