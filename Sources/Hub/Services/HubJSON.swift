import Foundation

/// The hub's one JSON coding, for its API and its webhooks: a Swift property `personioID` is the
/// field `personio_id`, `baseURL` is `base_url`, `dryRun` is `dry_run` — both ways, without a
/// `CodingKeys` per type. Dates are ISO 8601, keys sorted. Dictionary keys (mapped fields, counts)
/// are data and stay as they are.
///
/// Not Vapor's global content configuration: the Personio sandbox, with its own wire format, runs
/// in the same process (the demo, the tests).
enum HubJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .custom { path in FieldKey(fieldName(path.last)) }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .custom { path in FieldKey(propertyName(path.last)) }
        return decoder
    }()

    /// Words written in capitals in a Swift name (`personioID`, `baseURL`).
    private static let acronyms: Set<Substring> = ["id", "url"]

    /// `personioID` → `personio_id`, `baseURL` → `base_url`, `v2Scopes` → `v2_scopes`; a name that is
    /// already snake_case stays.
    static func fieldName(_ property: String) -> String {
        let characters = Array(property)
        var name = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    name.append("_")
                }
            }
            name.append(contentsOf: character.lowercased())
        }
        return name
    }

    /// `personio_id` → `personioID`, `base_url` → `baseURL`, `dry_run` → `dryRun`; a name without an
    /// underscore inside stays.
    static func propertyName(_ field: String) -> String {
        let words = field.split(separator: "_", omittingEmptySubsequences: false)
        guard words.count > 1, words.allSatisfy({ !$0.isEmpty }) else { return field }
        return String(words[0]) + words.dropFirst().map { word in
            acronyms.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
    }

    /// A coding path as the API names it (`scim.base_url`, `kinds.0`): each property as its field.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? fieldName($0.stringValue) }.joined(separator: ".")
    }

    private static func fieldName(_ key: (any CodingKey)?) -> String {
        guard let key else { return "" }
        return key.intValue == nil ? fieldName(key.stringValue) : key.stringValue
    }

    private static func propertyName(_ key: (any CodingKey)?) -> String {
        guard let key else { return "" }
        return key.intValue == nil ? propertyName(key.stringValue) : key.stringValue
    }

    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int?

        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { (stringValue, self.intValue) = (String(intValue), intValue) }
    }
}
