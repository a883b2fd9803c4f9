/// An operation that did not finish within the time it was given.
public struct TimeLimitExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    public let limit: Duration

    public var description: String { "no complete answer within \(limit.components.seconds) s" }
}

/// Runs `operation` and cancels it when it has not finished within `limit`, throwing
/// `TimeLimitExceeded`. HTTP clients bound the wait for an answer's head, not for its body: a server
/// that trickles a page byte by byte would otherwise hold a run (and its lease) for ever.
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeLimitExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
