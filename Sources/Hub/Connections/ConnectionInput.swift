import Foundation
import PersonioAPI
import Provisioning

/// A connection as an admin creates or changes it (API body, the wizard, the settings page).
struct ConnectionInput: Codable, Sendable {
    var sourceID: UUID?
    var preset: String?
    var name: String?
    var target: String?
    var paused: Bool?
    var incrementalInterval: Int?
    var fullInterval: Int?
    var seatLimit: Int?
    /// `"seat_limit": null` was sent (or the dashboard's field emptied): remove the limit.
    var clearsSeatLimit = false
    var scim: SCIMInput?
    /// The whole mapping, as `MappingInput` reads it; checked by the service.
    var mapping: JSONValue?
    /// Whom the connection is about, as `ScopeInput` reads it; checked by the service.
    var scope: JSONValue?

    enum CodingKeys: CodingKey, CaseIterable {
        case preset, name, target, paused, scim, mapping, scope, sourceID, incrementalInterval, fullInterval, seatLimit
    }

    func validate() throws(ServiceError) {
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalid("name", "name must not be empty") }
        if let incrementalInterval, !(30...86_400).contains(incrementalInterval) {
            throw .invalid("incremental_interval", "incremental_interval is seconds between 30 and 86400")
        }
        if let fullInterval, !(3_600...604_800).contains(fullInterval) {
            throw .invalid("full_interval", "full_interval is seconds between 3600 and 604800")
        }
        if let seatLimit, seatLimit < 1 { throw .invalid("seat_limit", "seat_limit must be at least 1") }
    }
}

/// Where a `scim` connection sends people. The token is sealed at rest and never shown again.
struct SCIMInput: Codable, Sendable {
    var baseURL: String?
    var token: String?
    var deletes: Bool?
    var userNameField: String?
    /// `externalID`, `userName`, `email`, in the order to try.
    var correlation: [String]?
    /// Where the app differs from what it announces; replaces the stored settings when given.
    var compatibility: CompatibilityInput?

    enum CodingKeys: CodingKey, CaseIterable {
        case token, deletes, correlation, compatibility, baseURL, userNameField
    }
}

/// A preset and the settings given over it; each unset setting follows the app's discovery.
struct CompatibilityInput: Codable, Sendable, Equatable {
    var preset: String?
    var updateMethod: String?
    var filter: Bool?
    var enterpriseExtension: Bool?
    var typedEmails: Bool?
    var booleansAsStrings: Bool?
    var pageSize: Int?
    var requestsPerSecond: Int?

    enum CodingKeys: CodingKey, CaseIterable {
        case preset, filter, updateMethod, enterpriseExtension, typedEmails, booleansAsStrings, pageSize, requestsPerSecond
    }

    /// The stored form, or a 422 naming the setting.
    func validated() throws(ServiceError) -> (SCIMCompatibility.Preset?, SCIMCompatibility) {
        let field = "scim.compatibility."
        var preset: SCIMCompatibility.Preset?
        if let name = self.preset {
            guard let known = SCIMCompatibility.Preset(rawValue: name) else {
                throw .invalid(field + "preset", "\(name.prefix(40)) is not a preset; one of "
                               + SCIMCompatibility.Preset.allCases.map(\.rawValue).joined(separator: ", "))
            }
            preset = known
        }
        var method: SCIMCompatibility.UpdateMethod?
        if let name = updateMethod {
            guard let known = SCIMCompatibility.UpdateMethod(rawValue: name.lowercased()) else {
                throw .invalid(field + "update_method", "update_method is patch or put")
            }
            method = known
        }
        if let pageSize, !SCIMCompatibility.pageSizes.contains(pageSize) {
            throw .invalid(field + "page_size", "page_size is 1 to \(SCIMCompatibility.pageSizes.upperBound) users")
        }
        if let requestsPerSecond, !SCIMCompatibility.requestRates.contains(requestsPerSecond) {
            throw .invalid(field + "requests_per_second", "requests_per_second is 1 to \(SCIMCompatibility.requestRates.upperBound)")
        }
        return (preset, SCIMCompatibility(updateMethod: method, filter: filter, enterpriseExtension: enterpriseExtension,
                                          typedEmails: typedEmails, booleansAsStrings: booleansAsStrings, pageSize: pageSize,
                                          requestsPerSecond: requestsPerSecond))
    }

    init(preset: SCIMCompatibility.Preset?, _ settings: SCIMCompatibility?) {
        self.preset = preset?.rawValue
        updateMethod = settings?.updateMethod?.rawValue
        filter = settings?.filter
        enterpriseExtension = settings?.enterpriseExtension
        typedEmails = settings?.typedEmails
        booleansAsStrings = settings?.booleansAsStrings
        pageSize = settings?.pageSize
        requestsPerSecond = settings?.requestsPerSecond
    }
}

extension ConnectionInput {
    /// Reads every field as given, and tells `"seat_limit": null` (remove the limit) from a request
    /// that leaves `seat_limit` out (keep it), which optional properties alone cannot.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceID = try container.decodeIfPresent(UUID.self, forKey: .sourceID)
        preset = try container.decodeIfPresent(String.self, forKey: .preset)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        target = try container.decodeIfPresent(String.self, forKey: .target)
        paused = try container.decodeIfPresent(Bool.self, forKey: .paused)
        incrementalInterval = try container.decodeIfPresent(Int.self, forKey: .incrementalInterval)
        fullInterval = try container.decodeIfPresent(Int.self, forKey: .fullInterval)
        seatLimit = try container.decodeIfPresent(Int.self, forKey: .seatLimit)
        clearsSeatLimit = container.contains(.seatLimit) && seatLimit == nil
        scim = try container.decodeIfPresent(SCIMInput.self, forKey: .scim)
        mapping = try container.decodeIfPresent(JSONValue.self, forKey: .mapping)
        scope = try container.decodeIfPresent(JSONValue.self, forKey: .scope)
    }
}
