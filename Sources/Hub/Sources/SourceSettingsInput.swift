import Foundation

/// A source's settings an admin changes besides its key: its name, the Personio address in the
/// browser (`null` removes it) and the Personio API it reads through.
struct SourceSettingsInput: Decodable, Sendable {
    var name: String?
    var webURL: String?
    /// `"web_url": null` was sent: remove the address.
    var clearsWebURL = false
    /// `v1`, `v2` or `auto`.
    var apiVersion: String?

    enum CodingKeys: CodingKey, CaseIterable {
        case name, webURL, apiVersion
    }

    init(name: String? = nil, webURL: String? = nil, clearsWebURL: Bool = false, apiVersion: String? = nil) {
        self.name = name
        self.webURL = webURL
        self.clearsWebURL = clearsWebURL
        self.apiVersion = apiVersion
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        webURL = try container.decodeIfPresent(String.self, forKey: .webURL)
        clearsWebURL = container.contains(.webURL) && webURL == nil
    }
}
