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

    /// Makes the next run read everyone and be due now: after a change that must be decided on everyone
    /// (mapping, scope) or for people who need not change in Personio again (a released held batch).
    func scheduleFullListing(now: Date) {
        lastFullAt = nil
        nextRunAt = min(nextRunAt ?? now, now)
    }

    /// Lifecycle rules that lack the attribute they decide on (start date, status, end of employment).
    var lifecycleWarnings: [String] {
        guard let rules = try? connectionRules() else { return [] }
        return rules.lifecycleWarnings(sharing)
    }
}
