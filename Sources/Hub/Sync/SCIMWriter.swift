import Fluent
import Foundation
import Provisioning
import SyncEngine

/// A SCIM 2.0 app: the app's writes first (concurrently, within the target's limit), then the links
/// and the run's record through the one commit path. A run killed between the two leaves the app
/// ahead of the links; the next run's create finds the user by `externalId` and links it, so nobody
/// is created twice. A SCIM connection keeps ids, name, state and fingerprint, never fields.
struct SCIMWriter: TargetWriter {
    let target: SCIMTarget

    func write(_ operations: ArraySlice<SyncEngine.Operation>, batch: BatchContext) async throws -> Int {
        let (connectionID, runID, rows, endpoints, date) = (batch.connectionID, batch.runID, batch.rows, batch.endpoints, batch.date)
        let outcomes = try await send(operations, connectionID: connectionID, rows: rows, database: batch.database)
        var commit = BatchCommit()
        var failures = 0
        for planned in operations {
            guard planned.kind != .hold, let state = planned.resultingState else {
                commit.records.append(SyncRunner.record(planned, runID: runID, outcome: .held))
                continue
            }
            let existing = rows[planned.personioID]
            // A person whose first send failed has a link with no target id and no fingerprint: the
            // engine plans an update, but for the app (and the record) it is the create.
            var operation = planned
            if operation.kind == .update, let existing, existing.targetID == nil, existing.fingerprint.isEmpty {
                operation.kind = .create
                operation.reason = "sent again after a failed first attempt: \(operation.reason)"
            }
            let row = existing ?? .unsent(connectionID: connectionID, personioID: operation.personioID, state: state)
            let record = SyncRunner.record(operation, runID: runID, outcome: .applied)
            switch outcomes[operation.personioID] ?? .applied(targetID: row.targetID, note: nil) {
            case .applied(let targetID, let note):
                // data minimisation: a SCIM connection keeps ids, name, state and fingerprint
                row.confirm(operation, state: state, targetID: targetID, storedFields: nil)
                if let note { record.reason += " (\(note))" }
                if !endpoints.isEmpty, let event = WebhookEvent.person(operation, connectionID: connectionID, state: state, fields: nil) {
                    commit.events.append(event)
                }
            case .failed(let failure):
                failures += 1
                // The link keeps what the app last confirmed; a person never sent gets a row with no
                // target id and no fingerprint, so the next plan sends them again.
                row.lastErrorCode = failure.code
                row.lastError = failure.explanation
                row.failures += 1
                row.retryAfter = failure.retryable ? date.addingTimeInterval(RetryBackoff.delay(afterFailures: row.failures)) : nil
                record.outcome = .failed
                record.errorCode = failure.code
                record.errorExplanation = failure.explanation
            }
            commit.records.append(record)
            commit.link(row)
        }
        try await commit.commit(batch)
        return failures
    }

    /// Sends the batch to the app, supervisors new to the app first (so their people can name them as
    /// manager at once); each person's outcome, never two people on one account.
    private func send(_ operations: ArraySlice<SyncEngine.Operation>, connectionID: UUID, rows: [Int: LinkModel], database: any Database)
        async throws -> [Int: TargetOutcome] {
        let sent = operations.filter { $0.kind != .hold && $0.resultingState != nil && $0.resultingState != .draft }
        let requests = sent.map { operation in
            TargetOperation(kind: operation.kind, personioID: operation.personioID, targetID: rows[operation.personioID]?.targetID,
                            fields: operation.fields, changedFields: operation.changedFields)
        }
        var outcomes: [Int: TargetOutcome] = [:]
        for wave in SCIMTarget.waves(requests) {
            await withTaskGroup(of: (Int, TargetOutcome).self) { group in
                for index in wave {
                    let request = requests[index]
                    let active = sent[index].resultingState == .active
                    group.addTask { (request.personioID, await target.apply(request, active: active)) }
                }
                for await (id, outcome) in group { outcomes[id] = outcome }
            }
        }
        try await refuseSharedAccounts(&outcomes, connectionID: connectionID, rows: rows, database: database)
        return outcomes
    }

    /// Never two people on one account: a user id the app gave two people of this batch, or one
    /// already linked to another person, fails each of them (the app answered the wrong user).
    func refuseSharedAccounts(_ outcomes: inout [Int: TargetOutcome], connectionID: UUID, rows: [Int: LinkModel],
                              database: any Database) async throws {
        var claims: [String: [Int]] = [:]
        for (person, outcome) in outcomes {
            guard case .applied(let id?, _) = outcome, id != rows[person]?.targetID else { continue }
            claims[id, default: []].append(person)
        }
        guard !claims.isEmpty else { return }
        var holders: [String: Int] = [:]
        for ids in Array(claims.keys).chunks(of: 500) {
            for link in try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$targetID ~~ Array(ids))
                .filter(\.$state != .deleted).all() where claims[link.targetID ?? ""]?.contains(link.personioID) == false {
                holders[link.targetID ?? ""] = link.personioID
            }
        }
        for (id, people) in claims where people.count > 1 || holders[id] != nil {
            let others = holders[id].map { "Personio person \($0)" } ?? "\(people.count) people of this run"
            for person in people {
                outcomes[person] = .failed(TargetFailure(
                    code: "scim_wrong_user", explanation: "The app answered with its user \(id.excerpt(60)), which is also \(others)'s; "
                        + "Rollcall links one person to one account and did not link this one. The app's SCIM answers the wrong user: "
                        + "report it to the app's vendor.", retryable: true))
            }
        }
    }
}
