import Foundation

/// A parsed JSON document that keeps booleans, numbers and null apart (Foundation's
/// `JSONSerialization` turns booleans into numbers on some platforms). Personio's pages are read
/// with it: a byte-level parser is several times faster than `Decodable` over loosely typed values.
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses a document with a small byte-level parser: decoding through `Decodable` with
    /// fallbacks throws an error per failed attempt and is slow.
    public static func parse(_ data: Data) throws -> JSONValue {
        let bytes = [UInt8](data)
        return try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(bytes: buffer)
            let value = try scanner.value()
            scanner.skipWhitespace()
            guard scanner.index == buffer.count else { throw scanner.failure("trailing characters") }
            return value
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var number: Double? { if case .number(let value) = self { value } else { nil } }
    /// The number as an integer when it is one and fits (`Int(_:)` would trap on 1e300).
    public var int: Int? { number.flatMap { Int(exactly: $0) } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    public var object: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
    public var isNull: Bool { self == .null }
}

/// Why a body is not JSON, and where.
public struct JSONParseError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public let offset: Int
    public var description: String { "not valid JSON: \(message) at byte \(offset)" }
}

/// A pull scanner over JSON bytes: reads values, keys and strings in place, and skips what the
/// caller does not need, so large pages can be read without building a dictionary per object.
struct JSONScanner {
    /// Arrays and objects nested deeper than this are refused: the scanner recurses, and a hostile
    /// document of a few kilobytes (`[[[[…`) would otherwise overflow the stack. Personio's and SCIM's
    /// documents nest a handful of levels; Foundation's parsers stop at 512.
    static let maximumDepth = 256

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func failure(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// The next non-blank byte, without consuming it.
    mutating func peek() throws(JSONParseError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard try peek() == byte else { throw failure("expected \(Character(Unicode.Scalar(byte)))") }
        index += 1
    }

    /// Consumes the opening bracket of an array or object one level deeper.
    private mutating func open(_ byte: UInt8) throws(JSONParseError) {
        try expect(byte)
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
    }

    /// Iterates an object's members: `body` is called with each key, positioned at its value,
    /// and must consume that value.
    mutating func object(_ body: (inout JSONScanner, String) throws(JSONParseError) -> Void) throws(JSONParseError) {
        try open(UInt8(ascii: "{"))
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            let next = try peek()
            index += 1
            if next == UInt8(ascii: ",") { continue }
            guard next == UInt8(ascii: "}") else { throw failure("expected , or }") }
            return
        }
    }

    /// Iterates an array's elements: `body` must consume each element.
    mutating func array(_ body: (inout JSONScanner) throws(JSONParseError) -> Void) throws(JSONParseError) {
        try open(UInt8(ascii: "["))
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            let next = try peek()
            index += 1
            if next == UInt8(ascii: ",") { continue }
            guard next == UInt8(ascii: "]") else { throw failure("expected , or ]") }
            return
        }
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try self.object { scanner, key throws(JSONParseError) in object[key] = try scanner.value() }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try self.array { scanner throws(JSONParseError) in array.append(try scanner.value()) }
            return .array(array)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    /// Skips one value of any kind.
    mutating func skipValue() throws(JSONParseError) {
        switch try peek() {
        case UInt8(ascii: "{"):  // member names are skipped, not made into strings
            try open(UInt8(ascii: "{"))
            defer { depth -= 1 }
            if try peek() == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                try skipString()
                try expect(UInt8(ascii: ":"))
                try skipValue()
                let next = try peek()
                index += 1
                if next == UInt8(ascii: ",") { continue }
                guard next == UInt8(ascii: "}") else { throw failure("expected , or }") }
                return
            }
        case UInt8(ascii: "["): try array { scanner throws(JSONParseError) in try scanner.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    mutating func number() throws(JSONParseError) -> Double {
        let start = index
        // Integers (most numbers Personio sends) without making a string.
        var negative = false
        var position = index
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        var integer = 0
        var digits = 0
        while position < bytes.count, digits < 15, bytes[position] &- 48 < 10 {
            integer = integer * 10 + Int(bytes[position] &- 48)
            digits += 1
            position += 1
        }
        if digits > 0, position == bytes.count || !Self.continuesNumber(bytes[position]) {
            index = position
            return Double(negative ? -integer : integer)
        }
        while index < bytes.count, (48...57).contains(bytes[index]) || bytes[index] == UInt8(ascii: "-")
            || bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e")
            || bytes[index] == UInt8(ascii: "E") {
            index += 1
        }
        guard index > start, let number = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        else { throw failure("bad number") }
        return number
    }

    static func continuesNumber(_ byte: UInt8) -> Bool {
        byte &- 48 < 10 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("expected \(word)") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw failure("expected \(word)") }
        index += count
    }

    mutating func skipString() throws(JSONParseError) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let base = bytes.baseAddress else { throw failure("expected string") }
        var position = index + 1
        while position < bytes.count {
            // memchr finds the next quote; it ends the string unless an odd number of backslashes precede it.
            guard let found = memchr(base + position, Int32(UInt8(ascii: "\"")), bytes.count - position) else { break }
            let quote = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
            var backslashes = 0
            while quote - backslashes - 1 > index, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            position = quote + 1
            if backslashes % 2 == 0 {
                index = position
                return
            }
        }
        throw failure("unterminated string")
    }

    /// The end (exclusive) of the string starting at `index` and whether it holds an escape.
    private func stringEnd() throws(JSONParseError) -> (end: Int, escaped: Bool) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let base = bytes.baseAddress else { throw failure("expected string") }
        let start = index + 1
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\"")), bytes.count - start) else { throw failure("unterminated string") }
        let end = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
        let escaped = end > start && memchr(base + start, Int32(UInt8(ascii: "\\")), end - start) != nil
        return (end, escaped)
    }

    /// The range of a string's bytes when it has no escapes (then consumed); nil otherwise (then
    /// not consumed: read it with `string()`).
    mutating func rawString() throws(JSONParseError) -> Range<Int>? {
        let (end, escaped) = try stringEnd()
        guard !escaped else { return nil }
        let start = index + 1
        index = end + 1
        return start..<end
    }

    /// The members of Personio's attribute wrappers.
    enum Member {
        case value, label, type, universalId, currency
        case other(String)
    }

    /// Reads a member name of an attribute wrapper, matching the usual ones by their bytes.
    mutating func member() throws(JSONParseError) -> Member {
        guard let range = try rawString() else { return .other(try string()) }
        switch range.count {
        case 5 where matches(range, "value"): return .value
        case 5 where matches(range, "label"): return .label
        case 4 where matches(range, "type"): return .type
        case 12 where matches(range, "universal_id"): return .universalId
        case 8 where matches(range, "currency"): return .currency
        default: return .other(text(range))
        }
    }

    func matches(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base + range.lowerBound, word.utf8Start, range.count) == 0
    }

    func bytesEqual(_ first: Range<Int>, _ second: Range<Int>) -> Bool {
        guard first.count == second.count else { return false }
        guard let base = bytes.baseAddress else { return first.isEmpty }
        return memcmp(base + first.lowerBound, base + second.lowerBound, first.count) == 0
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    mutating func string() throws(JSONParseError) -> String {
        guard let range = try rawString() else { return try escapedString() }
        return text(range)
    }

    private mutating func escapedString() throws(JSONParseError) -> String {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count,
                      var code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16)
                else { throw failure("bad \\u escape") }
                index += 4
                if (0xD800..<0xDC00).contains(code), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                   let low = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[index + 2..<index + 6]), as: UTF8.self), radix: 16),
                   (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "?")).utf8))
            default: out.append(escape)
            }
        }
        throw failure("unterminated string")
    }
}
