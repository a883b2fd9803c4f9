import Fluent
import Foundation
import SyncEngine

/// The demo's data: a workspace, a source on the sandbox and one `feed` connection per preset that
/// reads from Personio.
public enum Demo {
    public struct Seeded: Sendable {
        public var workspaceID: UUID
        public var sourceID: UUID
        /// Preset id → connection id.
        public var connections: [(preset: String, id: UUID)]
    }

    /// `runner`: the hub's, when the sandbox already answers: connections are then made as an admin makes
    /// them (`ConnectionService`, audited, the onboarding preset's phone and contract type found by label).
    public static func seed(on database: any Database, vault: Vault, sandboxBaseURL: String, clientId: String, clientSecret: String,
                            apiToken: String, runner: SyncRunner? = nil,
                            presets: [Preset] = Preset.all.filter { $0.direction == .fromPersonio }) async throws -> Seeded {
        let workspace = WorkspaceModel(name: "Demo", timeZone: "Europe/Berlin")
        try await workspace.save(on: database)
        let workspaceID = try workspace.requireID()
        let source = SourceModel(workspaceID: workspaceID, name: "Personio sandbox", baseURL: sandboxBaseURL, clientID: clientId,
                                 sealedClientSecret: "")
        source.id = UUID()
        source.sealedClientSecret = try vault.seal(clientSecret, context: SyncRunner.secretContext(source))
        try await source.create(on: database)
        var connections: [(String, UUID)] = []
        for preset in presets {
            if let runner {
                var input = ConnectionInput()
                input.sourceID = try source.requireID()
                input.preset = preset.id
                let connection = try await ConnectionService(database: database, environment: runner.environment)
                    .create(input, workspaceID: workspaceID, actor: "demo")
                connections.append((preset.id, try connection.requireID()))
                continue
            }
            let connection = ConnectionModel(workspaceID: workspaceID, sourceID: try source.requireID(), name: preset.title,
                                             preset: preset.id, targetKind: .feed, targetConfig: "{}",
                                             rules: try StoredJSON.text(preset.rules()), incrementalInterval: preset.incrementalInterval,
                                             fullInterval: preset.fullInterval)
            try await connection.save(on: database)
            connections.append((preset.id, try connection.requireID()))
        }
        _ = try await APITokens.store(apiToken, workspaceID: workspaceID, name: "demo", on: database)
        return Seeded(workspaceID: workspaceID, sourceID: try source.requireID(), connections: connections)
    }

    /// What the demo's tour points at: an active person of the time-tracking connection, the feed's
    /// latest sequence number there, and a draft of the onboarding connection (nil when there is none).
    public static func tourFacts(on database: any Database, timeTracking: UUID, onboarding: UUID) async throws
        -> (someone: Int?, cursor: Int, draft: Int?) {
        let someone = try await LinkModel.query(on: database).filter(\.$connection.$id == timeTracking)
            .filter(\.$state == .active).sort(\.$personioID).first()?.personioID
        let cursor = try await DirectoryChangeModel.query(on: database).filter(\.$connection.$id == timeTracking).max(\.$id) ?? 0
        let draft = try await LinkModel.query(on: database).filter(\.$connection.$id == onboarding)
            .filter(\.$state == .draft).sort(\.$personioID).first()?.personioID
        return (someone, cursor, draft)
    }
}
