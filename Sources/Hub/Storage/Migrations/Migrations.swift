import Fluent
import FluentSQL

/// Every migration, in the order they run. Each uses only the schema builder or SQL (never the
/// live models, which change later) and has a revert.
public enum HubMigrations {
    public static let all: [any AsyncMigration] = [
        CreateWorkspaces(), CreateUsers(), CreateAPITokens(), CreateSources(), CreateConnections(), CreateLinks(),
        CreateRuns(), CreateRunOperations(), CreateHeldBatches(), CreateAuditEvents(), CreateDirectoryChanges(),
        CreateIndexes(), AddLinkApprovals(), AddConnectionMarks(), CreateWebhooks(), AddLinkIndexes(),
        CreateHandoffs(),
        CreateDashboardSessions(), AddLinkRejections(), CreateAbsences(), AddHandoffClaims(),
        AddConnectionSharedAttributes(), AddRunSkipped(), AddSourceWebURL(), AddSourceAPIVersion(), AddFleetScheduling(),
    ]
}
