import Fluent
import Foundation
import SyncEngine

/// Source → target with a preset, its rules (policy, mapping, scope) as JSON, and a schedule.
/// The lease columns make sure one instance at a time runs it.
public final class ConnectionModel: Model, @unchecked Sendable {
    public static let schema = "connections"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Parent(key: "source_id") public var source: SourceModel
    @Field(key: "name") public var name: String
    @Field(key: "preset") public var preset: String
    /// `feed` or `scim`.
    @Field(key: "target_kind") public var targetKind: TargetKind
    /// Target settings as JSON; secrets in it are sealed by the `Vault`.
    @Field(key: "target_config") public var targetConfig: String
    /// `ConnectionRules` as JSON.
    @Field(key: "rules") public var rules: String
    @Field(key: "incremental_interval") public var incrementalInterval: Int
    @Field(key: "full_interval") public var fullInterval: Int
    @Field(key: "paused") public var paused: Bool
    @OptionalField(key: "next_run_at") public var nextRunAt: Date?
    @OptionalField(key: "next_full_at") public var nextFullAt: Date?
    @OptionalField(key: "lease_owner") public var leaseOwner: String?
    @OptionalField(key: "lease_expires_at") public var leaseExpiresAt: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    /// This connection's high-water mark: when the last complete listing that served it began
    /// (Personio's `updated_since` for the next incremental one, minus the overlap). Per connection,
    /// not per source: connections of one source run on different schedules, and a listing for one
    /// of them must not move another's mark past changes it has not seen.
    @OptionalField(key: "updated_since") public var updatedSince: Date?
    /// When the last complete full listing that served it began.
    @OptionalField(key: "last_full_at") public var lastFullAt: Date?
    /// `SharedAttributes` as JSON: what Personio returned of the attributes the rules rely on, and
    /// what it stopped returning since when. nil: nothing observed yet.
    @OptionalField(key: "shared_attributes") public var sharedAttributes: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, sourceID: UUID, name: String, preset: String, targetKind: TargetKind,
                targetConfig: String, rules: String, incrementalInterval: Int, fullInterval: Int, paused: Bool = false) {
        self.id = id
        self.$workspace.id = workspaceID
        self.$source.id = sourceID
        self.name = name
        self.preset = preset
        self.targetKind = targetKind
        self.targetConfig = targetConfig
        self.rules = rules
        self.incrementalInterval = incrementalInterval
        self.fullInterval = fullInterval
        self.paused = paused
    }
}

extension ConnectionModel {
    /// The attributes Personio shares with this connection's credential (empty when unreadable or
    /// never observed: then nothing counts as withheld).
    var sharing: SharedAttributes {
        get { sharedAttributes.flatMap { try? StoredJSON.decode(SharedAttributes.self, $0) } ?? SharedAttributes() }
    }

    func setSharing(_ sharing: SharedAttributes) throws {
        sharedAttributes = try StoredJSON.text(sharing)
    }

    /// The connection's rules (policy, mapping, scope), stored as JSON.
    func connectionRules() throws -> ConnectionRules {
        try StoredJSON.decode(ConnectionRules.self, rules)
    }

    func setRules(_ rules: ConnectionRules) throws {
        self.rules = try StoredJSON.text(rules)
    }

    /// Where the connection sends people, with the target's settings.
    func targetSettings() throws -> TargetSettings {
        switch targetKind {
        case .feed: .feed
        case .scim: .scim(try StoredJSON.decode(SCIMTargetSettings.self, targetConfig))
        }
    }

    /// A SCIM connection's settings; nil for a feed.
    func scimSettings() throws -> SCIMTargetSettings? {
        guard case .scim(let settings) = try targetSettings() else { return nil }
        return settings
    }

    func setSCIMSettings(_ settings: SCIMTargetSettings) throws {
        targetConfig = try StoredJSON.text(settings)
    }
}
