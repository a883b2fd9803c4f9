import Fluent
import Vapor

/// A list read a page at a time: `limit` (1–500, default 100) and `cursor` (the `next_cursor` of the
/// page before). The cursor counts rows from the top, so rows added meanwhile can shift a page; the
/// list's order says which end grows.
struct ListPage {
    static let defaultLimit = 100
    static let maximumLimit = 500

    var offset: Int
    var limit: Int

    init(_ request: Request) throws(APIError) {
        offset = try request.integer("cursor", in: 0...Int(Int32.max), default: 0, "cursor must be a next_cursor from an earlier page")
        limit = try request.integer("limit", in: 1...Self.maximumLimit, default: Self.defaultLimit,
                                    "limit must be between 1 and \(Self.maximumLimit)")
    }

    /// The page's rows of a sorted query, and the body around them.
    func read<M: Model, Item: Content>(_ query: QueryBuilder<M>, _ view: (M) throws -> Item) async throws -> Body<Item> {
        let rows = try await query.offset(offset).limit(limit + 1).all()
        let more = rows.count > limit
        return Body(data: try rows.prefix(limit).map(view), nextCursor: more ? String(offset + limit) : nil, hasMore: more)
    }

    struct Body<Item: Content>: APIContent {
        var data: [Item]
        /// Pass it as `cursor` for the next page; null on the last.
        var nextCursor: String?
        var hasMore: Bool

        enum CodingKeys: CodingKey {
            case data, nextCursor, hasMore
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(data, forKey: .data)
            try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, not left out
            try container.encode(hasMore, forKey: .hasMore)
        }
    }
}

extension Request {
    /// An integer query parameter within `range` (`fallback` when absent); anything else is a 422
    /// naming the parameter with `message`.
    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int, _ message: String) throws(APIError) -> Int {
        guard let text = query[String.self, at: name] else { return fallback }
        guard let value = Int(text), range.contains(value) else { throw APIError.invalid(name, message) }
        return value
    }
}
