import Foundation

/// How a connection meets an app whose SCIM differs from what it announces or from the RFC: every
/// setting is optional, and an unset one follows discovery (`/ServiceProviderConfig`, `/Schemas`).
/// Presets bundle what common apps need; a setting given next to a preset wins over it.
public struct SCIMCompatibility: Sendable, Hashable, Codable {
    /// How a user is changed. nil: PATCH when the app announces it, else PUT.
    public var updateMethod: UpdateMethod?
    /// Whether users are searched with `filter=`. nil: as discovered (announced and honoured);
    /// false: the app's users are read page by page and matched locally.
    public var filter: Bool?
    /// Whether the enterprise extension (department, organisation, manager, employee number) is
    /// sent. nil: when the app's schemas declare it (or it serves none).
    public var enterpriseExtension: Bool?
    /// Whether `emails` and `phoneNumbers` carry `type` and `primary`. nil: as the app's schemas declare.
    public var typedEmails: Bool?
    /// `active: "true"` instead of `true`, for apps that store it as text.
    public var booleansAsStrings: Bool?
    /// Users per page when the app's directory is read (1–1,000). nil: 500.
    public var pageSize: Int?
    /// At most this many requests per second to the app (1–1,000). nil: no limit beyond `concurrency`.
    public var requestsPerSecond: Int?

    public enum UpdateMethod: String, Sendable, Hashable, Codable, CaseIterable {
        case patch, put
    }

    /// Named bundles for common behaviours.
    public enum Preset: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nothing overridden: what the app announces.
        case discovered
        /// Apps that announce PATCH but fail or ignore it (django-scim2's stock adapter, many
        /// in-house servers): every change is a full PUT.
        case putOnly = "put_only"
        /// Apps that refuse anything beyond the core User: no enterprise extension, e-mails and
        /// phone numbers without type/primary.
        case coreOnly = "core_only"
        /// The smallest SCIM: PUT, no search (the directory is read and matched locally), core User only.
        case basic
        /// Apps that keep booleans as text.
        case stringBooleans = "string_booleans"

        public var title: String {
            switch self {
            case .discovered: "As the app announces"
            case .putOnly: "PUT instead of PATCH"
            case .coreOnly: "Core user only"
            case .basic: "Basic SCIM (PUT, no search, core user)"
            case .stringBooleans: "Booleans as text"
            }
        }

        public var settings: SCIMCompatibility {
            switch self {
            case .discovered: SCIMCompatibility()
            case .putOnly: SCIMCompatibility(updateMethod: .put)
            case .coreOnly: SCIMCompatibility(enterpriseExtension: false, typedEmails: false)
            case .basic: SCIMCompatibility(updateMethod: .put, filter: false, enterpriseExtension: false, typedEmails: false)
            case .stringBooleans: SCIMCompatibility(booleansAsStrings: true)
            }
        }
    }

    public static let pageSizes = 1...1000
    public static let requestRates = 1...1000
    public static let defaultPageSize = 500

    public init(updateMethod: UpdateMethod? = nil, filter: Bool? = nil, enterpriseExtension: Bool? = nil, typedEmails: Bool? = nil,
                booleansAsStrings: Bool? = nil, pageSize: Int? = nil, requestsPerSecond: Int? = nil) {
        self.updateMethod = updateMethod
        self.filter = filter
        self.enterpriseExtension = enterpriseExtension
        self.typedEmails = typedEmails
        self.booleansAsStrings = booleansAsStrings
        self.pageSize = pageSize
        self.requestsPerSecond = requestsPerSecond
    }

    /// These settings over `base` (a preset): what is set here wins.
    public func over(_ base: SCIMCompatibility) -> SCIMCompatibility {
        SCIMCompatibility(updateMethod: updateMethod ?? base.updateMethod, filter: filter ?? base.filter,
                          enterpriseExtension: enterpriseExtension ?? base.enterpriseExtension, typedEmails: typedEmails ?? base.typedEmails,
                          booleansAsStrings: booleansAsStrings ?? base.booleansAsStrings, pageSize: pageSize ?? base.pageSize,
                          requestsPerSecond: requestsPerSecond ?? base.requestsPerSecond)
    }

    /// The preset these settings are exactly, if any.
    public var preset: Preset? { Preset.allCases.first { $0.settings == self } }

    /// What is overridden, in words (for the connection page and the audit log); empty when nothing is.
    public var summary: [String] {
        var parts: [String] = []
        if let updateMethod { parts.append(updateMethod == .put ? "changes sent with PUT" : "changes sent with PATCH") }
        if let filter { parts.append(filter ? "users searched with filters" : "no user search: the app's users are read and matched") }
        if let enterpriseExtension { parts.append(enterpriseExtension ? "enterprise extension sent" : "no enterprise extension") }
        if let typedEmails { parts.append(typedEmails ? "e-mails with type and primary" : "e-mails without type or primary") }
        if booleansAsStrings == true { parts.append("booleans as text") }
        if let pageSize { parts.append("\(pageSize) users per page") }
        if let requestsPerSecond { parts.append("at most \(requestsPerSecond) requests per second") }
        return parts
    }

    enum CodingKeys: String, CodingKey {
        case filter
        case updateMethod = "update_method", enterpriseExtension = "enterprise_extension", typedEmails = "typed_emails"
        case booleansAsStrings = "booleans_as_strings", pageSize = "page_size", requestsPerSecond = "requests_per_second"
    }
}

/// Spaces requests to at most `perSecond` starts per second (shared by every task of a client).
actor RequestPacer {
    let interval: Duration
    var next = ContinuousClock.now

    init(perSecond: Int) {
        interval = .nanoseconds(1_000_000_000 / Int64(max(1, perSecond)))
    }

    func waitForTurn() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
