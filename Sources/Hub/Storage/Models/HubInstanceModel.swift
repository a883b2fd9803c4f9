import Fluent
import Foundation

/// One hub instance as its scheduler last reported itself (every few seconds while it runs).
public final class HubInstanceModel: Model, @unchecked Sendable {
    public static let schema = "hub_instances"

    @ID(custom: "name", generatedBy: .user) public var id: String?
    @Field(key: "started_at") public var startedAt: Date
    @Field(key: "seen_at") public var seenAt: Date
    @Field(key: "concurrency") public var concurrency: Int
    @Field(key: "runs_in_flight") public var runsInFlight: Int
    @OptionalField(key: "lag_p50") public var lagP50: Double?
    @OptionalField(key: "lag_p95") public var lagP95: Double?

    public init() {}
}
