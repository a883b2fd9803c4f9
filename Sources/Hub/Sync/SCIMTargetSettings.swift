import Foundation
import Provisioning

/// A SCIM connection's target settings, as stored in `connections.target_config`. The token is
/// sealed with the vault (context `connection:<id>:scim_token`) and never leaves the hub.
struct SCIMTargetSettings: Codable, Sendable {
    var baseURL: String
    var sealedToken: String
    /// false: a delete deactivates the user instead.
    var deletes: Bool
    var userNameField: String
    /// How an existing user is found before one is created, in order (nil: the default order).
    var correlation: [SCIMConfiguration.Correlation]?
    /// What the app's `/Schemas` made Rollcall leave out of every user, as last discovered.
    var omitted: [String]?
    /// The compatibility preset chosen, and the settings given over it (nil: as the app announces).
    var compatibilityPreset: SCIMCompatibility.Preset?
    var compatibility: SCIMCompatibility?

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url", sealedToken = "sealed_token", deletes, userNameField = "user_name_field", correlation, omitted
        case compatibilityPreset = "compatibility_preset", compatibility
    }

    /// The settings in force: those given, over the preset's.
    var effectiveCompatibility: SCIMCompatibility {
        (compatibility ?? SCIMCompatibility()).over(compatibilityPreset?.settings ?? SCIMCompatibility())
    }

    static func tokenContext(_ connectionID: UUID) -> String { "connection:\(connectionID.uuidString):scim_token" }

    func configuration(token: String) -> SCIMConfiguration {
        var configuration = SCIMConfiguration(baseURL: baseURL, token: token)
        configuration.deletes = deletes
        configuration.userNameField = userNameField
        if let correlation { configuration.correlation = correlation }
        configuration.compatibility = effectiveCompatibility
        return configuration
    }
}
