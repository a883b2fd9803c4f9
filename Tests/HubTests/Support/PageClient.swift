import AsyncHTTPClient
import Foundation
@testable import Hub
import Vapor
import VaporTesting

/// A browser without the browser: keeps cookies, sends forms, follows nothing.
final class PageClient: @unchecked Sendable {
    struct Page {
        var status: HTTPStatus
        var html: String
        var location: String?
        var setCookies: [String]
    }

    let app: Application
    var cookies: [String: String] = [:]
    /// A running server's base URL and a client that follows no redirect: requests then go over a
    /// real loopback socket (to see what the server logs); nil: in memory.
    let live: (baseURL: String, http: HTTPClient)?

    init(_ app: Application, live: (baseURL: String, http: HTTPClient)? = nil) {
        self.app = app
        self.live = live
    }

    func get(_ path: String) async throws -> Page { try await send(.GET, path, form: nil) }

    func post(_ path: String, _ form: [(String, String)]) async throws -> Page { try await send(.POST, path, form: form) }

    /// The CSRF token of the last page's first form.
    static func csrf(_ page: Page) -> String? {
        guard let range = page.html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page.html[range.upperBound...].prefix { $0 != "\"" })
    }

    func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]?) async throws -> Page {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        var body: ByteBuffer?
        if let form {
            headers.contentType = .urlEncodedForm
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed)! }
            body = ByteBuffer(string: form.map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&"))
        }
        let response: (status: HTTPStatus, headers: HTTPHeaders, body: String)
        if let live {
            var request = HTTPClientRequest(url: live.baseURL + path)
            request.method = method
            request.headers = headers
            if let body { request.body = .bytes(body) }
            let answer = try await live.http.execute(request, timeout: .seconds(30))
            response = (answer.status, answer.headers, String(buffer: try await answer.body.collect(upTo: 8 << 20)))
        } else {
            let answer = try await app.testing().sendRequest(method, path, headers: headers, body: body)
            response = (answer.status, answer.headers, answer.body.string)
        }
        let setCookies = response.headers[.setCookie]
        for line in setCookies {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return Page(status: response.status, html: response.body, location: response.headers.first(name: .location), setCookies: setCookies)
    }

    /// Signs in through the form; returns the page the redirect leads to.
    @discardableResult
    func signIn(_ email: String, _ password: String) async throws -> Page {
        let form = try await get(DashboardPath.signIn)
        return try await post(DashboardPath.signIn, [("csrf", Self.csrf(form) ?? ""), ("email", email), ("password", password)])
    }
}
