import Foundation

/// The paging parts of a v2 list request — `limit` (1–50, default 10) and the opaque `cursor` —
/// and how the page's `_meta.links` are written. The sandbox's cursors hold the last id of the
/// previous page (keyset paging), so a person created or removed while a client pages neither
/// repeats nor skips anyone.
struct V2Paging: Sendable {
    static let defaultLimit = 10
    static let maximumLimit = 50

    var limit: Int
    /// The id after which this page starts; nil on the first page.
    var after: String?
    var cursor: String?

    init(query: [(String, String)], maximum: Int = V2Paging.maximumLimit) throws(V2Failure) {
        limit = Self.defaultLimit
        if let text = query.last(where: { $0.0 == "limit" })?.1 {
            guard let value = Int(text), (1...maximum).contains(value) else {
                throw .invalidParameter("limit", "limit must be an integer from 1 to \(maximum)")
            }
            limit = value
        }
        if let text = query.last(where: { $0.0 == "cursor" })?.1, !text.isEmpty {
            guard let after = Self.position(of: text) else { throw .invalidParameter("cursor", "the cursor is not one this API issued") }
            self.after = after
            cursor = text
        }
    }

    static func cursor(after id: String) -> String {
        "cur_" + Data(id.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func position(of cursor: String) -> String? {
        guard cursor.hasPrefix("cur_") else { return nil }
        var text = String(cursor.dropFirst(4)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let id = String(data: data, encoding: .utf8), !id.isEmpty else { return nil }
        return id
    }
}

/// Where a page's links point: the request's own origin (absolute) or its path only (relative).
struct V2Links: Sendable {
    /// `http://host` for absolute links, empty for relative ones.
    var origin: String
    var path: String
    /// The request's filters, repeated in `next` so the next page keeps them.
    var filters: [(String, String)]

    func href(cursor: String?, limit: Int?) -> String {
        var pairs = filters
        if let limit { pairs.append(("limit", String(limit))) }
        if let cursor { pairs.append(("cursor", cursor)) }
        return origin + path + Self.encode(pairs)
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~,:")
        return "?" + pairs.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }
}

/// One page of a v2 listing, chosen in the store; rendered outside it.
struct V2Page<Item: Sendable>: Sendable {
    var items: [Item]
    var selfHref: String
    var nextHref: String?

    func render(_ writeItem: (Item, inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: max(1024, items.count * 2048))
        json.beginObject()
        json.key("_data")
        json.beginArray()
        for item in items { writeItem(item, &json) }
        json.endArray()
        json.key("_meta")
        json.beginObject()
        json.key("links")
        json.beginObject()
        json.key("self"); json.link(selfHref)
        if let nextHref { json.key("next"); json.link(nextHref) }
        json.endObject()
        json.endObject()
        json.endObject()
        return json.bytes
    }
}

extension JSONWriter {
    /// `{"href":"…"}`
    mutating func link(_ href: String) {
        beginObject()
        key("href"); string(href)
        endObject()
    }

    /// `"2024-01-17T08:15:30Z"`: v2 writes instants in UTC.
    mutating func utcTimestamp(_ date: Date) {
        timestamp(epochSeconds: Int(date.timeIntervalSince1970.rounded(.down)), offset: 0, utc: true)
    }
}
