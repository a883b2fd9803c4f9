import Foundation
import PersonioAPI

/// A Personio source as an admin gives it (API body and the dashboard's wizard).
struct SourceInput: Codable, Sendable {
    var name: String?
    var clientID: String?
    var clientSecret: String?
    var credentialsFile: String?
    var baseURL: String?
    var partnerID: String?
    var appID: String?
    /// The company's Personio in the browser (`https://acme.app.personio.com`), for links to employees.
    var webURL: String?
    /// `v1`, `v2` or `auto` (default `v1`).
    var apiVersion: String?

    enum CodingKeys: CodingKey, CaseIterable {
        case name, clientID, clientSecret, credentialsFile, baseURL, partnerID, appID, webURL, apiVersion
    }

    /// The API choice, checked; nil when not given.
    static func validatedAPIVersion(_ text: String?) throws(ServiceError) -> PersonioAPIVersion.Choice? {
        guard let text else { return nil }
        guard let choice = PersonioAPIVersion.Choice(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .invalid("api_version", "api_version is v1, v2 or auto (full listings through the cheaper API, single people through v2)")
        }
        return choice
    }

    /// The Personio address in the browser, checked; nil when not given. Only linked to, never fetched.
    static func validatedWebURL(_ text: String?) throws(ServiceError) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let message = "web_url is your Personio's address in the browser, e.g. https://acme.app.personio.com"
        let address = try InputRules.httpAddress(text, field: "web_url", message: message)
        guard text.count <= 200, address.url.query == nil, address.url.fragment == nil else { throw .invalid("web_url", message) }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The credentials pasted or in the file; exactly one of the two ways.
    func credentials() throws(ServiceError) -> CredentialsInput {
        if let file = credentialsFile {
            guard clientID == nil, clientSecret == nil else {
                throw .invalid("credentials_file", "give either client_id and client_secret or credentials_file, not both")
            }
            return try CredentialsInput.parse(file: file)
        }
        guard let id = clientID?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            throw .invalid("client_id", "client_id is required (or credentials_file)")
        }
        guard let secret = clientSecret?.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty else {
            throw .invalid("client_secret", "client_secret is required (or credentials_file)")
        }
        return CredentialsInput(clientID: id, clientSecret: secret)
    }

    func validatedBaseURL() throws(ServiceError) -> String {
        try InputRules.httpAddress(baseURL ?? PersonioConfiguration.personioBaseURL, field: "base_url",
                                   message: "base_url must be an http(s) URL such as https://api.personio.de/v1").text
    }
}
