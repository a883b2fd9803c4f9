import Foundation
import Fluent
import Provisioning
import SyncEngine

extension SyncRunner {
    /// The connection's SCIM target, discovered now (one request; a failure explains the URL or token).
    func scimTarget(_ connection: ConnectionModel) async throws -> SCIMTarget {
        guard let settings = try connection.scimSettings() else { throw SyncError.notFound("the SCIM settings of connection \(connection.name)") }
        let token = try vault.open(settings.sealedToken, context: SCIMTargetSettings.tokenContext(try connection.requireID()))
        let client = SCIMClient(configuration: settings.configuration(token: token), transport: scimTransport)
        let target = try await SCIMTarget.connect(client)
        // the app's schemas may change (an upgrade declaring more): the connection shows what it leaves out now
        let omitted = target.omittedAttributes
        if (settings.omitted ?? []) != omitted {
            var updated = settings
            updated.omitted = omitted
            try connection.setSCIMSettings(updated)
            try await connection.save(on: database)
        }
        return target
    }
}
