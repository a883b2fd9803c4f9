import Foundation
import SyncEngine

/// What a connection cannot do with the attributes Personio shares: blocked by a required one it has
/// never shared, or warned where the policy would otherwise have to guess.
extension ConnectionModel {
    /// Required attributes Personio has never shared with the source's credential; runs fail (and
    /// nobody is sent) until they are ticked in Personio.
    var blockedBy: [String] {
        guard let rules = try? connectionRules() else { return [] }
        return sharing.neverShared(of: rules.policy.requiredAttributes)
    }

    /// Why the connection is blocked and where to fix it; nil when it is not.
    var blockedNotice: String? { blockedBy.isEmpty ? nil : SyncRunner.blockedNotice(blockedBy) }

    /// Lifecycle rules that lack the attribute they decide on (start date, status, end of employment).
    var lifecycleWarnings: [String] {
        guard let rules = try? connectionRules() else { return [] }
        return rules.lifecycleWarnings(sharing)
    }
}
