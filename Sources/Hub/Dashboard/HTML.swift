import Foundation

/// A fragment of HTML. Text interpolated into it is escaped; only other `HTML` values are inserted
/// as they are, so a person's name or an error message can never become markup.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(raw text: String) { self.text = text }
    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    public var description: String { text }

    public static let empty = HTML(raw: "")

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ html: HTML) { text += html.text }
        public mutating func appendInterpolation(_ fragments: [HTML]) { for fragment in fragments { text += fragment.text } }
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        public mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        public mutating func appendInterpolation(_ value: UUID) { text += value.uuidString }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Two fragments one after the other (a long literal split over lines stays HTML, its text escaped).
    public static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(raw: lhs.text + rhs.text)
    }

    /// Joins fragments, optionally with a separator.
    public static func join(_ fragments: [HTML], separator: HTML = .empty) -> HTML {
        HTML(raw: fragments.map(\.text).joined(separator: separator.text))
    }
}

extension Sequence {
    /// Renders each element and concatenates the fragments.
    func html(_ render: (Element) throws -> HTML) rethrows -> HTML {
        HTML.join(try map(render))
    }
}
