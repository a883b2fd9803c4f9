/// Personio's two APIs. v1 lists 100 employees with every attribute per request; v2 lists 50
/// persons per request and needs one more request per person for the employment (position,
/// dates, supervisor, org units), but it is where Personio builds now (webhooks exist only there).
public enum PersonioAPIVersion: String, Sendable, Codable, CaseIterable {
    case v1, v2

    /// What a source is set to.
    public enum Choice: String, Sendable, Codable, CaseIterable {
        case v1, v2
        /// Full listings through whichever API needs fewer requests (`listingCost`), single people from v2.
        case auto
    }

    /// Requests a full listing of `people` costs: v1 `⌈n/100⌉`; v2 `⌈n/50⌉` pages plus one
    /// employments request per person.
    public static func listingCost(of version: PersonioAPIVersion, people: Int, v1PageSize: Int = 100, v2PageSize: Int = 50) -> Int {
        switch version {
        case .v1: max(1, (people + v1PageSize - 1) / v1PageSize)
        case .v2: max(1, (people + v2PageSize - 1) / v2PageSize) + people
        }
    }
}

extension PersonioAPIVersion.Choice {
    /// The API a full listing goes through: `auto` takes the cheaper one for a company of `people`
    /// (unknown: assume at least one person, where v1 is already cheaper).
    public func forListing(people: Int?) -> PersonioAPIVersion {
        switch self {
        case .v1: .v1
        case .v2: .v2
        case .auto:
            PersonioAPIVersion.listingCost(of: .v2, people: people ?? 1) < PersonioAPIVersion.listingCost(of: .v1, people: people ?? 1)
                ? .v2 : .v1
        }
    }

    /// The API a single person is read through: `auto` reads one person from v2.
    public var forSinglePerson: PersonioAPIVersion {
        self == .v1 ? .v1 : .v2
    }
}
