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

    /// Made as an operator and an admin make them, through the services (audited as `demo`): the
    /// workspace, the source (its credentials checked live against the sandbox, which must answer),
    /// the connections (the onboarding preset's phone and contract type found by label), and the
    /// API token `apiToken`.
    public static func seed(on database: any Database, runner: SyncRunner, sandboxBaseURL: String, clientID: String, clientSecret: String,
                            apiToken: String, presets: [Preset] = Preset.all.filter { $0.direction == .fromPersonio }) async throws -> Seeded {
        let environment = runner.environment
        let workspace = try await WorkspaceService(database: database, now: environment.now)
            .createWithoutToken(WorkspaceService.Input(name: "Demo", timeZone: "Europe/Berlin"), defaultTimeZone: "Europe/Berlin", actor: "demo")
        let workspaceID = try workspace.requireID()
        let (source, _) = try await SourceService(database: database, environment: environment)
            .connect(SourceInput(name: "Personio sandbox", clientID: clientID, clientSecret: clientSecret, baseURL: sandboxBaseURL),
                     workspaceID: workspaceID, actor: "demo")
        var connections: [(String, UUID)] = []
        for preset in presets {
            var input = ConnectionInput()
            input.sourceID = try source.requireID()
            input.preset = preset.id
            let connection = try await ConnectionService(database: database, environment: environment)
                .create(input, workspaceID: workspaceID, actor: "demo")
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
