import Fluent
import Foundation
import PersonioAPI
import SyncEngine

/// A connection's scope: checked against what the source's credential reads, and counted live
/// against Personio's listing before it is saved.
extension ConnectionService {
    /// How many people a scope (or the stored one) keeps, of everyone Personio lists, and some it leaves out with why.
    struct ScopeCount: Codable, Sendable {
        struct Left: Codable, Sendable {
            var personioID: Int
            var name: String
            var reason: String
        }

        var listed: Int
        var inScope: Int
        /// Up to 20 of the people left out, with the reason.
        var leftOut: [Left]
    }

    /// A scope as sent, checked: every attribute known or found by its label and readable (or already in the scope).
    func checkedScope(_ json: JSONValue, for connection: ConnectionModel, current: Scope) async throws -> Scope {
        let parsed = try ScopeInput.parse(json)
        let kept = Set(current.rules.map { Employee.sourceAttribute(of: $0.attribute) })
        let readable = try await readableAttributes(for: parsed.rules.map(\.attribute), kept: kept, of: connection)
        return try ScopeInput.resolve(parsed, readable: readable, kept: kept)
    }

    /// Counts the people in scope, reading Personio's whole listing.
    func countScope(_ connection: ConnectionModel, json: JSONValue?) async throws -> ScopeCount {
        let rules = try connection.connectionRules()
        var scope = rules.scope
        if let json { scope = try await checkedScope(json, for: connection, current: rules.scope) }
        let (client, timeZone) = try await personio(for: connection)
        var count = ScopeCount(listed: 0, inScope: 0, leftOut: [])
        do {
            for try await page in client.employees() {
                for employee in page.employees {
                    count.listed += 1
                    if let reason = scope.exclusion(of: employee, timeZone: timeZone) {
                        if count.leftOut.count < 20 {
                            count.leftOut.append(.init(personioID: employee.id, name: [employee.firstName, employee.lastName]
                                .compactMap { $0 }.joined(separator: " "), reason: reason))
                        }
                    } else {
                        count.inScope += 1
                    }
                }
            }
        } catch {
            throw ServiceError.personio(error, "The people could not be counted.")
        }
        return count
    }
}
