/// The `type` Personio gives each employee attribute on the wire.
public enum PersonioAttributeType: String, Codable, Sendable, CaseIterable {
    case standard, date, integer, decimal, list, link, tags, multiline
}
