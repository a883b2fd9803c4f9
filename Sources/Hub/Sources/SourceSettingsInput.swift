import Foundation

/// A source's settings an admin changes besides its key: its name and the Personio address in the
/// browser (`null` removes it).
struct SourceSettingsInput: Decodable, Sendable {
    var name: String?
    var webURL: String?
    /// `"web_url": null` was sent: remove the address.
    var clearsWebURL = false

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, webURL = "web_url"
    }

    init(name: String? = nil, webURL: String? = nil, clearsWebURL: Bool = false) {
        self.name = name
        self.webURL = webURL
        self.clearsWebURL = clearsWebURL
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        webURL = try container.decodeIfPresent(String.self, forKey: .webURL)
        clearsWebURL = container.contains(.webURL) && webURL == nil
    }
}
