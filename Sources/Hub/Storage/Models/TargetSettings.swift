/// A connection's target with its settings: the hub's own change feed (no settings), or a SCIM app.
enum TargetSettings {
    case feed
    case scim(SCIMTargetSettings)
}
