/// Appends JSON to a byte buffer without building intermediate values.
///
/// A page of 100 employees has thousands of small values; `JSONEncoder` over nested `Codable`
/// structs is several times slower than writing the bytes directly, and the sandbox must serve
/// 100,000 employees in seconds.
import SyncEngine

struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// One bit per open object or array (innermost lowest): whether the next value needs a comma.
    /// A bit stack instead of `[Bool]` avoids array bookkeeping on every value; 64 levels suffice.
    private var commaBits: UInt64 = 0
    private var depth = 0

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); push() }
    mutating func endObject() { pop(); bytes.append(UInt8(ascii: "}")) }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); push() }
    mutating func endArray() { pop(); bytes.append(UInt8(ascii: "]")) }

    private mutating func push() {
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        commaBits <<= 1
        depth += 1
    }

    private mutating func pop() {
        commaBits >>= 1
        depth -= 1
    }

    /// Writes `"name":` — the value must follow.
    mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        pendingValueAfterKey = true
    }

    mutating func string(_ value: String) { separate(); writeString(value) }
    mutating func int(_ value: Int) { separate(); bytes.append(contentsOf: String(value).utf8) }
    mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }

    /// Writes a decimal the way Personio does: integers without a fraction, others shortest form.
    mutating func number(_ value: Double) {
        separate()
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int(value)).utf8)
        } else if value.isFinite {
            bytes.append(contentsOf: String(value).utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    mutating func string(_ value: String?) { if let value { string(value) } else { null() } }
    mutating func int(_ value: Int?) { if let value { int(value) } else { null() } }

    /// Writes `"YYYY-MM-DDTHH:MM:SS+HH:MM"` for an instant shown at `offset` seconds from UTC,
    /// digit by digit: formatting through `String` is the slowest part of a page otherwise.
    mutating func timestamp(epochSeconds: Int, offset: Int, utc: Bool = false) {
        separate()
        let local = epochSeconds + offset
        let days = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        let secondsOfDay = local - days * 86_400
        let date = LocalDate(daysSinceEpoch: days)
        bytes.append(UInt8(ascii: "\""))
        digits(date.year, 4); bytes.append(UInt8(ascii: "-")); digits(date.month, 2); bytes.append(UInt8(ascii: "-")); digits(date.day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondsOfDay / 3600, 2); bytes.append(UInt8(ascii: ":"))
        digits(secondsOfDay % 3600 / 60, 2); bytes.append(UInt8(ascii: ":"))
        digits(secondsOfDay % 60, 2)
        if utc {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            bytes.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            digits(abs(offset) / 3600, 2); bytes.append(UInt8(ascii: ":")); digits(abs(offset) % 3600 / 60, 2)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `"YYYY-MM-DD"`.
    mutating func date(_ date: LocalDate) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        digits(date.year, 4); bytes.append(UInt8(ascii: "-")); digits(date.month, 2); bytes.append(UInt8(ascii: "-")); digits(date.day, 2)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(48 + (rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private var pendingValueAfterKey = false

    private mutating func separate() {
        if pendingValueAfterKey {
            pendingValueAfterKey = false
            return
        }
        guard depth > 0 else { return }
        if commaBits & 1 == 1 { bytes.append(UInt8(ascii: ",")) }
        commaBits |= 1
    }

    /// Personio's list envelope, `{"success":true,"metadata":{"total_elements","current_page","total_pages"},
    /// "offset","limit","data":[…]}`, with the values as each endpoint reports them; `items` writes the data.
    static func list(total: Int, currentPage: Int, offset: Int, limit: Int, capacity: Int = 4096,
                     items: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: capacity)
        json.beginObject()
        json.key("success"); json.bool(true)
        json.key("metadata")
        json.beginObject()
        json.key("total_elements"); json.int(total)
        json.key("current_page"); json.int(currentPage)
        json.key("total_pages"); json.int((total + limit - 1) / limit)
        json.endObject()
        json.key("offset"); json.int(offset)
        json.key("limit"); json.int(limit)
        json.key("data")
        json.beginArray()
        items(&json)
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `{"type":"…","attributes":{…}}`, the shape of Personio's nested objects; `attributes` writes the members.
    @inline(__always)
    mutating func typedObject(_ type: String, _ attributes: (inout JSONWriter) -> Void) {
        beginObject()
        key("type"); string(type)
        key("attributes")
        beginObject()
        attributes(&self)
        endObject()
        endObject()
    }

    /// Opens a member from pre-encoded bytes ending in `"value":` (e.g. `"id":{"label":"ID","value":`);
    /// the value follows through the normal calls, then `closeMember` appends the rest.
    mutating func openMember(_ prefix: [UInt8]) {
        separate()
        bytes.append(contentsOf: prefix)
        pendingValueAfterKey = true
    }

    mutating func closeMember(_ suffix: [UInt8]) {
        bytes.append(contentsOf: suffix)
    }

    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let copied = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
