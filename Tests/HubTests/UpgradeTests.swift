import Fluent
import FluentSQL
import Foundation
@testable import Hub
import SyncEngine
import Testing
import Vapor

/// A database written before the Hub's refactor (issue 15) upgrades to the current schema with every
/// row intact, and the current models read every row — the typed columns (link state, run status,
/// operation kind, target settings, rules) included.
@Suite("Upgrading a database written by an earlier version")
struct UpgradeTests {
    /// How many migrations `HubMigrations.all` had at 9fcaa9d, the commit the refactor started from
    /// (migrations are only ever appended: that version's schema is this prefix).
    static let migrationsBeforeRefactor = 22

    @Test(arguments: TestDatabases.all)
    func aDatabaseFromBeforeTheRefactorUpgradesWithEveryRowIntact(_ database: HubConfiguration.Database) async throws {
        try await TestDatabases.withDatabase(database, migrate: false) { app, _ in
            let old = Migrations()
            old.add(Array(HubMigrations.all.prefix(Self.migrationsBeforeRefactor)))
            let migrator = Migrator(databases: app.databases, migrations: old, logger: app.logger, on: app.eventLoopGroup.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            let sql = try #require(app.db as? any SQLDatabase)
            let fixture = OldRows()
            for row in fixture.rows { try await row.insert(on: sql) }

            try await app.autoMigrate()

            for row in fixture.rows {
                let differences = try await row.differences(on: sql)
                #expect(differences.isEmpty, "\(row.table): \(differences)")
            }
            try await fixture.readThroughTheModels(app.db)
        }
    }
}

/// A column's value as an earlier version wrote it.
private enum Stored: Sendable, Equatable {
    case uuid(UUID), text(String), int(Int), bool(Bool), date(Date), texts([String]), null

    var bind: any SQLExpression {
        switch self {
        case .uuid(let value): SQLBind(value)
        case .text(let value): SQLBind(value)
        case .int(let value): SQLBind(value)
        case .bool(let value): SQLBind(value)
        case .date(let value): SQLBind(value)
        case .texts(let value): SQLBind(value)
        case .null: SQLLiteral.null
        }
    }

    /// The same kind of value, read back from `column`.
    func read(_ row: any SQLRow, _ column: String) throws -> Stored {
        if try row.decodeNil(column: column) { return .null }
        switch self {
        case .uuid: return .uuid(try row.decode(column: column, as: UUID.self))
        case .text, .null: return .text(try row.decode(column: column, as: String.self))
        case .int: return .int(try row.decode(column: column, as: Int.self))
        case .bool: return .bool(try row.decode(column: column, as: Bool.self))
        case .date: return .date(try row.decode(column: column, as: Date.self))
        case .texts: return .texts(try row.decode(column: column, as: [String].self))
        }
    }
}

private struct OldRow: Sendable {
    var table: String
    /// The column that finds the row again (`id`, or another unique one for tables keyed by a sequence).
    var key: String
    var values: KeyValuePairs<String, Stored>

    func insert(on sql: any SQLDatabase) async throws {
        try await sql.insert(into: table).columns(values.map(\.key)).values(values.map(\.value.bind)).run()
    }

    /// Each column whose value differs from the one written, with both.
    func differences(on sql: any SQLDatabase) async throws -> [String] {
        guard let keyValue = values.first(where: { $0.key == key })?.value else { return ["no key \(key)"] }
        let rows = try await sql.select().columns(values.map { SQLColumn($0.key) }).from(table)
            .where(SQLColumn(key), .equal, keyValue.bind).all()
        guard rows.count == 1, let row = rows.first else { return ["\(rows.count) rows for \(key)"] }
        return try values.compactMap { column, written in
            let read = try written.read(row, column)
            return read == written ? nil : "\(column): wrote \(written), read \(read)"
        }
    }
}

/// One row in every table of the schema at 9fcaa9d, with the texts that version wrote (rules and
/// settings as JSON, states and kinds as words).
private struct OldRows {
    let workspace = UUID(), user = UUID(), token = UUID(), source = UUID(), feed = UUID(), scim = UUID()
    let activeLink = UUID(), archivedLink = UUID(), run = UUID(), heldRun = UUID(), created = UUID(), held = UUID()
    let batch = UUID(), audit = UUID(), endpoint = UUID(), handoff = UUID(), session = UUID(), attempt = UUID()
    let invite = UUID(), kind = UUID(), absence = UUID()
    let at = Date(timeIntervalSince1970: 1_795_000_000)
    let later = Date(timeIntervalSince1970: 1_795_000_600)

    static let feedRules = #"{"mapping":{"fields":[{"source":{"attribute":{"_0":"first_name"}},"target":"first_name","# +
        #""transforms":[{"trim":{}}]},{"source":{"attribute":{"_0":"last_name"}},"target":"last_name","transforms":[{"trim":{}}]},"# +
        #"{"source":{"attribute":{"_0":"email"}},"target":"email","transforms":[{"trim":{}},{"lowercase":{}}]},{"source":"# +
        #"{"attribute":{"_0":"department"}},"target":"department","transforms":[]},{"source":{"attribute":{"_0":"position"}},"# +
        #""target":"position","transforms":[]}]},"policy":{"brake":{"enabled":true,"minimum":10,"threshold":0.2},"onLeave":"keep","# +
        #""onLeaver":"archive","onVanished":"archive","preHire":{"archivedWithin":{"days":7}},"requiredAttributes":["first_name","# +
        #""last_name","email"],"requiresApproval":false},"scope":{"rules":[]},"storesFields":true}"#
    static let scimRules = feedRules.replacingOccurrences(of: #""storesFields":true"#, with: #""storesFields":false"#)
    static let scimSettings = #"{"base_url":"https:\/\/scim.example.com\/scim\/v2","deletes":false,"sealed_token":"v1:sealed","# +
        #""user_name_field":"email"}"#
    static let sharing = #"{"shared":["department","email","first_name"],"withheld":{"status":816692800}}"#

    var rows: [OldRow] {
        [
            OldRow(table: "workspaces", key: "id", values: ["id": .uuid(workspace), "name": .text("Acme"), "time_zone": .text("Europe/Berlin"),
                                                            "created_at": .date(at)]),
            OldRow(table: "users", key: "id", values: ["id": .uuid(user), "workspace_id": .uuid(workspace), "email": .text("hr@acme.example"),
                                                       "name": .text("Hanna"), "password_hash": .text("$2b$12$hash"), "role": .text("owner"),
                                                       "created_at": .date(at)]),
            OldRow(table: "api_tokens", key: "id", values: ["id": .uuid(token), "workspace_id": .uuid(workspace), "name": .text("CI"),
                                                            "token_hash": .text("digest"), "prefix": .text("rc_ab12"),
                                                            "scopes": .texts(["read", "write"]), "created_at": .date(at),
                                                            "last_used_at": .date(later), "revoked_at": .null]),
            OldRow(table: "sources", key: "id", values: ["id": .uuid(source), "workspace_id": .uuid(workspace), "name": .text("Personio"),
                                                         "base_url": .text("https://api.personio.de"), "client_id": .text("papi-1"),
                                                         "sealed_client_secret": .text("v1:secret"), "partner_id": .text("ACME"),
                                                         "app_id": .null, "updated_since": .null, "last_full_at": .date(at),
                                                         "created_at": .date(at), "updated_at": .date(later)]),
            connection(feed, name: "Time tracking", preset: "time-tracking", kind: "feed", config: "{}", rules: Self.feedRules,
                       sharing: .text(Self.sharing)),
            connection(scim, name: "Service desk", preset: "service-desk", kind: "scim", config: Self.scimSettings, rules: Self.scimRules,
                       sharing: .null),
            link(activeLink, connection: feed, personioID: 101, state: "active", fields: .text(#"{"email":"ada@acme.example","first_name":"Ada"}"#)),
            link(archivedLink, connection: scim, personioID: 102, state: "archived", fields: .null),
            OldRow(table: "runs", key: "id", values: ["id": .uuid(run), "connection_id": .uuid(feed), "full": .bool(true), "dry_run": .bool(false),
                                                      "status": .text("succeeded"), "started_at": .date(at), "finished_at": .date(later),
                                                      "counts": .text(#"{"create":2,"update":1}"#), "personio_requests": .int(3),
                                                      "error": .null]),
            OldRow(table: "runs", key: "id", values: ["id": .uuid(heldRun), "connection_id": .uuid(scim), "full": .bool(true),
                                                      "dry_run": .bool(false), "status": .text("held"), "started_at": .date(later),
                                                      "finished_at": .null, "counts": .text(#"{"hold":12}"#), "personio_requests": .int(1),
                                                      "error": .text("the brake held 12 archives")]),
            operation(created, run: run, kind: "create", outcome: "applied"),
            operation(held, run: heldRun, kind: "hold:archive", outcome: "held"),
            OldRow(table: "held_batches", key: "id", values: ["id": .uuid(batch), "connection_id": .uuid(scim), "run_id": .uuid(heldRun),
                                                              "status": .text("held"), "removals": .int(12), "linked": .int(40),
                                                              "created_at": .date(later), "decided_at": .null, "decided_by": .null]),
            OldRow(table: "audit_events", key: "id", values: ["id": .uuid(audit), "workspace_id": .uuid(workspace), "actor": .text("token:CI"),
                                                              "action": .text("connection.created"), "subject": .text(feed.uuidString),
                                                              "detail": .text("preset time-tracking"), "created_at": .date(at)]),
            OldRow(table: "directory_changes", key: "run_id", values: ["connection_id": .uuid(feed), "personio_id": .int(101),
                                                                       "state": .text("active"), "fields": .text(#"{"first_name":"Ada"}"#),
                                                                       "changed_fields": .texts(["first_name"]), "run_id": .uuid(run),
                                                                       "created_at": .date(later)]),
            OldRow(table: "webhook_endpoints", key: "id", values: ["id": .uuid(endpoint), "connection_id": .uuid(feed),
                                                                   "url": .text("https://hooks.acme.example/rollcall"),
                                                                   "sealed_secret": .text("v1:whsec"), "sealed_previous_secret": .null,
                                                                   "previous_expires_at": .null, "events": .texts(["person.created"]),
                                                                   "enabled": .bool(true), "created_at": .date(at)]),
            OldRow(table: "webhook_deliveries", key: "event_id", values: ["event_id": .text("evt_1"), "endpoint_id": .uuid(endpoint),
                                                                          "personio_id": .int(101), "type": .text("person.created"),
                                                                          "payload": .text(#"{"connection_id":"x","personio_id":101}"#),
                                                                          "status": .text("delivered"), "attempts": .int(1),
                                                                          "next_attempt_at": .date(later), "claimed_until": .null,
                                                                          "last_status": .int(204), "last_error": .null,
                                                                          "created_at": .date(later), "delivered_at": .date(later)]),
            OldRow(table: "handoffs", key: "id", values: ["id": .uuid(handoff), "workspace_id": .uuid(workspace), "source_id": .uuid(source),
                                                          "candidate_id": .text("cand-7"), "status": .text("sent"), "personio_id": .int(103),
                                                          "attempts": .int(1), "sent_by": .text("token:CI"), "sent_at": .date(later),
                                                          "error_code": .null, "error": .null, "updated_at": .date(later),
                                                          "created_at": .date(at), "claim": .int(0)]),
            OldRow(table: "dashboard_sessions", key: "id", values: ["id": .uuid(session), "token_digest": .text("session-digest"),
                                                                    "user_id": .uuid(user), "csrf_token": .text("csrf"),
                                                                    "created_at": .date(at), "expires_at": .date(later)]),
            OldRow(table: "sign_in_attempts", key: "id", values: ["id": .uuid(attempt), "email": .text("hr@acme.example"),
                                                                  "address": .text("127.0.0.1"), "succeeded": .bool(true),
                                                                  "created_at": .date(at)]),
            OldRow(table: "invites", key: "id", values: ["id": .uuid(invite), "workspace_id": .uuid(workspace), "email": .text("it@acme.example"),
                                                         "role": .text("viewer"), "token_digest": .text("invite-digest"),
                                                         "invited_by": .text("hr@acme.example"), "created_at": .date(at),
                                                         "expires_at": .date(later), "accepted_at": .null]),
            OldRow(table: "absence_kinds", key: "id", values: ["id": .uuid(kind), "workspace_id": .uuid(workspace), "source_id": .uuid(source),
                                                               "kind": .text("vacation"), "time_off_type_id": .int(7),
                                                               "type_name": .text("Urlaub"), "unit": .text("day")]),
            OldRow(table: "absences", key: "id", values: ["id": .uuid(absence), "workspace_id": .uuid(workspace), "source_id": .uuid(source),
                                                          "external_id": .text("abs-1"), "employee_id": .int(101), "kind": .text("vacation"),
                                                          "time_off_type_id": .int(7), "unit": .text("day"), "start_date": .text("2026-12-07"),
                                                          "end_date": .text("2026-12-09"), "half_day_start": .bool(false),
                                                          "half_day_end": .bool(true), "start_time": .null, "end_time": .null,
                                                          "comment": .text("Skiing"), "status": .text("written"), "personio_id": .text("5511"),
                                                          "attempts": .int(1), "retry_at": .null, "claimed_until": .null, "error_code": .null,
                                                          "error": .null, "sent_by": .text("token:CI"), "created_at": .date(at),
                                                          "updated_at": .date(later)]),
        ]
    }

    func connection(_ id: UUID, name: String, preset: String, kind: String, config: String, rules: String, sharing: Stored) -> OldRow {
        OldRow(table: "connections", key: "id", values: [
            "id": .uuid(id), "workspace_id": .uuid(workspace), "source_id": .uuid(source), "name": .text(name), "preset": .text(preset),
            "target_kind": .text(kind), "target_config": .text(config), "rules": .text(rules), "incremental_interval": .int(60),
            "full_interval": .int(43_200), "paused": .bool(false), "next_run_at": .date(later), "next_full_at": .date(later),
            "lease_owner": .null, "lease_expires_at": .null, "last_error": .null, "created_at": .date(at), "updated_at": .date(later),
            "updated_since": .date(at), "last_full_at": .date(at), "shared_attributes": sharing,
        ])
    }

    func link(_ id: UUID, connection: UUID, personioID: Int, state: String, fields: Stored) -> OldRow {
        OldRow(table: "links", key: "id", values: [
            "id": .uuid(id), "connection_id": .uuid(connection), "personio_id": .int(personioID), "target_id": .text("t-\(personioID)"),
            "state": .text(state), "fingerprint": .text("0123456789abcdef"), "fields": fields, "display_name": .text("Ada Lovelace"),
            "has_been_active": .bool(true), "last_error_code": .null, "last_error": .null, "failures": .int(0), "retry_after": .null,
            "updated_at": .date(later), "approved_at": .date(at), "approved_by": .text("hr@acme.example"),
            "import_fields": .text(#"{"country":"DE"}"#), "rejected_at": .null, "rejected_by": .null,
        ])
    }

    func operation(_ id: UUID, run: UUID, kind: String, outcome: String) -> OldRow {
        OldRow(table: "run_operations", key: "id", values: [
            "id": .uuid(id), "run_id": .uuid(run), "personio_id": .int(101), "kind": .text(kind), "reason": .text("new in Personio"),
            "outcome": .text(outcome), "changed_fields": .texts(["email", "first_name"]), "error_code": .null, "error_explanation": .null,
        ])
    }

    /// Every row read through the current models, the typed columns as the types they are now.
    func readThroughTheModels(_ database: any Database) async throws {
        let connections = try await ConnectionModel.query(on: database).all()
        let feedConnection = try #require(connections.first { $0.id == feed })
        let scimConnection = try #require(connections.first { $0.id == scim })
        #expect(feedConnection.targetKind == .feed)
        #expect(try feedConnection.connectionRules() == Preset.timeTracking.rules())
        #expect(feedConnection.sharing.withheld["status"] == at)
        guard case .scim(let settings) = try scimConnection.targetSettings() else {
            Issue.record("the SCIM connection's settings did not read as SCIM")
            return
        }
        #expect(settings.baseURL == "https://scim.example.com/scim/v2" && settings.deletes == false && settings.userNameField == "email")
        #expect(try scimConnection.connectionRules().storesFields == false)

        let links = try await LinkModel.query(on: database).all()
        #expect(Set(links.map(\.state)) == [.active, .archived])
        #expect(links.first { $0.id == activeLink }?.importFields == #"{"country":"DE"}"#)

        let runs = try await RunModel.query(on: database).all()
        #expect(runs.first { $0.id == run }?.status == .succeeded)
        #expect(runs.first { $0.id == run }?.operationCounts == ["create": 2, "update": 1])
        #expect(runs.first { $0.id == heldRun }?.status == .held)
        #expect(runs.allSatisfy { $0.skipped == 0 }, "a run written before skips were counted skipped nobody")

        let operations = try await RunOperationModel.query(on: database).all()
        #expect(operations.first { $0.id == created }?.recordedKind == .operation(.create))
        #expect(operations.first { $0.id == held }?.recordedKind == .held(.archive))
        #expect(operations.first { $0.id == held }?.outcome == .held)

        #expect(try await HeldBatchModel.query(on: database).all().map(\.status) == [.held])
        let source = try #require(try await SourceModel.query(on: database).first())
        #expect(source.webURL == nil && source.personioAPI == .v1, "a source from before API versions reads Personio v1")
        #expect(try await HandoffModel.query(on: database).all().map(\.status) == [.sent])
        let absence = try #require(try await AbsenceModel.query(on: database).first())
        #expect(absence.status == .written && absence.startDate == LocalDate("2026-12-07") && absence.endDate == LocalDate("2026-12-09"))
        #expect(try await UserModel.query(on: database).all().map(\.role) == [.owner])
        #expect(try await WebhookDeliveryModel.query(on: database).all().map(\.status) == [.delivered])
        #expect(try await WorkspaceModel.query(on: database).count() == 1)
        #expect(try await APITokenModel.query(on: database).first()?.scopes == ["read", "write"])
        #expect(try await AuditEventModel.query(on: database).count() == 1)
        #expect(try await DirectoryChangeModel.query(on: database).first()?.changedFields == ["first_name"])
        #expect(try await WebhookEndpointModel.query(on: database).first()?.events == ["person.created"])
        #expect(try await DashboardSessionModel.query(on: database).count() == 1)
        #expect(try await SignInAttemptModel.query(on: database).count() == 1)
        #expect(try await InviteModel.query(on: database).first()?.role == .viewer)
        #expect(try await AbsenceKindModel.query(on: database).first()?.timeOffTypeID == 7)
    }
}
