/// Where a connection sends people: the hub's own change feed, or a SCIM 2.0 app.
public enum TargetKind: String, Sendable, Hashable, Codable, CaseIterable {
    case feed, scim
}
