import Foundation
import PersonioAPI

/// A value as a client sent it, before the sandbox decides what it means. Form bodies
/// (`employee[first_name]=Ada`) arrive as the same type, with strings everywhere.
typealias PlainValue = JSONValue

extension JSONValue {
    /// Text for string-like fields; numbers are accepted and written without a needless fraction.
    var text: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        default: nil
        }
    }

    /// A number, also from numeric text ("40", "38.5").
    var numeric: Double? {
        switch self {
        case .number(let value): value
        case .string(let value): Double(value.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// An integer, also from integral text ("10001").
    var integer: Int? {
        guard let numeric, numeric == numeric.rounded(), abs(numeric) < 1e15 else { return nil }
        return Int(numeric)
    }

    /// A boolean, accepting `true`/`false`, `1`/`0` and their text forms as Personio does.
    var flag: Bool? {
        switch self {
        case .bool(let value): return value
        case .number(let value) where value == 0 || value == 1: return value == 1
        case .string(let value):
            switch value.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// `null` or an empty string: the client left the field empty.
    var isBlank: Bool {
        if case .null = self { return true }
        if case .string(let value) = self, value.isEmpty { return true }
        return false
    }
}
