import Foundation
import PersonioAPI
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
                                              message: "Send a workspace API token as `Authorization: Bearer rc_…` (create "
                                                       + "one with `rollcall token create`).")
}

extension APIError {
    /// A service's error as the API answers it.
    public init(_ error: ServiceError) {
        let status: HTTPResponseStatus = switch error.kind {
        case .invalid: .unprocessableEntity
        case .notFound: .notFound
        case .conflict: .conflict
        case .refused: .forbidden
        case .upstream: .badGateway
        case .unavailable: .serviceUnavailable
        }
        self.init(status: status, code: error.code, message: error.message, field: error.field)
    }

    /// The API's or a service's error, for pages that show either at its field; nil for any other.
    public static func shown(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: error
        case let error as ServiceError: APIError(error)
        default: nil
        }
    }
}

/// Turns every error into the JSON error body; an unexpected one becomes a 500 without internals.
struct APIErrorMiddleware: AsyncMiddleware {
    struct Body: APIContent {
        struct Detail: APIContent {
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
            case let error as ServiceError:
                let shown = APIError(error)
                (status, detail) = (shown.status, Body.Detail(code: shown.code, message: shown.message, field: shown.field))
            case let error as DecodingError:  // before AbortError: Vapor makes DecodingError one, without the field
                if let field = Self.unfitNumber(error, in: request.body.data) {
                    let message = "\(field) must be a whole number from \(Int.min) to \(Int.max)"
                    (status, detail) = (.badRequest, Body.Detail(code: "bad_request", message: message, field: field))
                } else {
                    (status, detail) = (.badRequest, Body.Detail(code: "bad_request", message: Self.describe(error), field: Self.field(error)))
                }
            case let error as any AbortError:
                let code = error.status == .notFound ? "not_found" : error.status.code < 500 ? "bad_request" : "internal"
                (status, detail) = (error.status, Body.Detail(code: code, message: error.reason, field: nil))
            default:
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                (status, detail) = (.internalServerError, Body.Detail(code: "internal", message: "Something went wrong on our side.", field: nil))
            }
            let response = Response(status: status)
            try response.content.encode(Body(error: detail), using: HubJSON.encoder)
            return response
        }
    }

    /// Foundation reports a number that does not fit its property (beyond Int64, or 1.5 for an
    /// integer) as "not valid JSON" with no path; the body is read again to name the field.
    static func unfitNumber(_ error: DecodingError, in body: ByteBuffer?) -> String? {
        guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let body,
              let value = try? JSONValue.parse(Data(body.readableBytesView)) else { return nil }
        return firstUnfitNumber(value, path: [])
    }

    private static func firstUnfitNumber(_ value: JSONValue, path: [String]) -> String? {
        switch value {
        case .number(let number):
            return Int(exactly: number) == nil && !path.isEmpty ? path.joined(separator: ".") : nil
        case .object(let members):
            for key in members.keys.sorted() {
                if let member = members[key], let field = firstUnfitNumber(member, path: path + [key]) { return field }
            }
            return nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let field = firstUnfitNumber(item, path: path + [String(index)]) { return field }
            }
            return nil
        default:
            return nil
        }
    }

    static func field(_ error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: return nil
        }
        return path.isEmpty ? nil : HubJSON.fieldPath(path)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "\(HubJSON.fieldPath([key])) is required"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            // valid JSON with a value of the wrong form: an id that is no UUID, a number beyond Int64
            "\(HubJSON.fieldPath(context.codingPath)) cannot be read: \(context.debugDescription)"
        case .dataCorrupted: "the body is not valid JSON"
        @unknown default: "the body cannot be read"
        }
    }
}
