import Foundation

/// Parses `application/x-www-form-urlencoded` text and query strings into ordered pairs, and
/// folds bracketed names (`employee[custom_attributes][dynamic_1]`, `employees[]`) into values.
enum FormFields {
    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(pieces[0])
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            return (name, value)
        }
    }

    /// Builds nested objects from bracketed names: `a[b][c]=1` → `{"a":{"b":{"c":"1"}}}`, `a[]=1&a[]=2` → arrays.
    static func object(_ pairs: [(String, String)]) -> [String: PlainValue] {
        var root: [String: PlainValue] = [:]
        for (name, value) in pairs {
            let path = segments(name)
            insert(.string(value), at: path[...], into: &root)
        }
        return root
    }

    static func segments(_ name: String) -> [String] {
        guard let open = name.firstIndex(of: "[") else { return [name] }
        var result = [String(name[..<open])]
        var rest = name[open...]
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            result.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    private static func insert(_ value: PlainValue, at path: ArraySlice<String>, into object: inout [String: PlainValue]) {
        guard let head = path.first else { return }
        let rest = path.dropFirst()
        if rest.isEmpty {
            object[head] = value
        } else if rest.first == "" {
            if case .array(var items)? = object[head] {
                items.append(value)
                object[head] = .array(items)
            } else {
                object[head] = .array([value])
            }
        } else {
            var child: [String: PlainValue] = [:]
            if case .object(let existing)? = object[head] { child = existing }
            insert(value, at: rest, into: &child)
            object[head] = .object(child)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
