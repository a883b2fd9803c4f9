import Fluent
import Foundation
import PersonioAPI
import SyncEngine

extension SyncRunner {
    /// What the next run of a connection would do to one person, and why: the person is read from
    /// Personio now and planned by the connection's rules against their link. Changes nothing.
    public struct Explanation: Sendable {
        /// The operation the planner chose, if any.
        public var operation: SyncEngine.Operation?
        /// Why the person is left alone, when they are.
        public var skipped: String?
        /// Personio no longer returns the person (the next full listing decides).
        public var goneFromPersonio: Bool
    }

    public func explain(connectionID: UUID, personioID: Int) async throws -> Explanation {
        let query = ConnectionModel.query(on: database).filter(\.$id == connectionID).with(\.$source) { source in source.with(\.$workspace) }
        guard let connection = try await query.first() else { throw SyncError.notFound("connection \(connectionID)") }
        let rules = try connection.connectionRules()
        let timeZone = TimeZone(identifier: connection.source.workspace.timeZone) ?? TimeZone(identifier: "Europe/Berlin") ?? .current
        let row = try await LinkModel.query(on: database).filter(\.$connection.$id == connectionID).filter(\.$personioID == personioID).first()
        let client = try await personioClient(for: connection.source)
        let employee = try await Self.employee(personioID, with: client)
        let employees = employee.map { [$0] } ?? []
        let gone = employee == nil
        let links = try row.map { [personioID: try $0.link] } ?? [:]
        let counts = try await linkCounts(connectionID)
        var sharing = connection.sharing
        sharing.observe(employees, relevant: rules.attributesReliedOn, at: now())
        // Gone: as a complete full listing without them would see it; otherwise only this person changed.
        let plan = Planner(rules: rules).plan(PlanInput(
            links: links, employees: employees, listing: gone ? .full(complete: true) : .incremental, now: now(), timeZone: timeZone,
            approved: row?.approvedAt != nil ? [personioID] : [], brakeReleased: false, linkCounts: counts,
            withheld: Set(sharing.withheld.keys)))
        return Explanation(operation: plan.operations.first { $0.personioID == personioID },
                           skipped: plan.skipped.first { $0.personioID == personioID }?.reason, goneFromPersonio: gone)
    }

    /// The employee, or nil when Personio does not return them any more.
    private static func employee(_ id: Int, with client: PersonioClient) async throws(PersonioError) -> Employee? {
        do {
            let (employee, _) = try await client.employee(id: id)
            return employee
        } catch .notFound {
            return nil
        }
    }
}
