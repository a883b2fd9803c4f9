import Foundation
import PersonioAPI
import Vapor

/// Turns every error into the right JSON: Personio's envelope for `/v1` (and unknown routes), the
/// sandbox's own `{"error":{…}}` for `/sandbox`. Nothing reaches the client as a bare 500.
struct SandboxErrorMiddleware: AsyncMiddleware {
    /// The sandbox's clock, for the `timestamp` of v2 problem bodies.
    var now: @Sendable () -> Date = { Date() }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let failure as PersonioFailure {
            return Self.personio(failure)
        } catch let failure as AdminFailure {
            return Self.admin(failure)
        } catch let failure as V2Failure {
            return V2Problem.response(failure, at: now())
        } catch let failure as OAuthFailure {
            return V2Problem.response(failure, at: now())
        } catch {
            let status: HTTPResponseStatus
            let message: String
            if let abort = error as? any AbortError {
                status = abort.status
                message = switch abort.status {
                case .notFound: "No route \(request.method.rawValue) \(request.url.path)"
                case .payloadTooLarge: "The request body is too large."
                default: abort.reason
                }
            } else {
                request.logger.error("sandbox: unexpected error \(String(reflecting: error))")
                status = .internalServerError
                message = "Es ist ein Problem aufgetreten"
            }
            if request.url.path.hasPrefix("/v2/") || request.url.path == "/v2" {
                let failure = status == .notFound ? V2Failure.notFound("No route \(request.method.rawValue) \(request.url.path)")
                    : V2Failure(status: Int(status.code), title: status.reasonPhrase, detail: message, code: "common.bad_request")
                return V2Problem.response(failure, at: now())
            }
            if request.url.path.hasPrefix("/sandbox") {
                return Self.admin(AdminFailure(status: Int(status.code), code: status.reasonPhrase.lowercased().replacingOccurrences(of: " ",
                                                                                                                                     with: "_"),
                                               message: message))
            }
            return Self.personio(PersonioFailure(status: Int(status.code), code: Int(status.code), message: message))
        }
    }

    static func personio(_ failure: PersonioFailure) -> Response {
        let envelope = PersonioErrorEnvelope(code: failure.code, message: failure.message, errorData: failure.errorData)
        var headers = HTTPHeaders([("Content-Type", "application/json; charset=utf-8")])
        if let retryAfter = failure.retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        let body = (try? JSONEncoder().encode(envelope)) ?? Data("{\"success\":false}".utf8)
        return Response(status: HTTPResponseStatus(statusCode: failure.status), headers: headers, body: .init(data: body))
    }

    static func admin(_ failure: AdminFailure) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable { var code: String; var message: String; var field: String? }
            var error: Detail
        }
        let body = (try? JSONEncoder().encode(Body(error: .init(code: failure.code, message: failure.message, field: failure.field))))
            ?? Data("{}".utf8)
        return Response(status: HTTPResponseStatus(statusCode: failure.status),
                        headers: HTTPHeaders([("Content-Type", "application/json; charset=utf-8")]), body: .init(data: body))
    }
}
