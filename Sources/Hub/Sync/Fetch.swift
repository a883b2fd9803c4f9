import Foundation
import PersonioAPI
import SyncEngine

/// One listing of a source, shared by all its connections.
struct Fetch: Sendable {
    var employees: [Employee]
    var listing: PlanInput.Listing
    var startedAt: Date
    var requests: Int
    var rateLimited: Int
    /// Why the listing is not complete, when it is not.
    var incompleteReason: String?

    /// Reads every page; an incomplete listing keeps what was read and says so (the planner then
    /// never concludes that anyone left).
    static func read(from client: PersonioClient, updatedSince: Date?, at now: Date,
                     progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws(PersonioError) -> Fetch {
        let before = await client.statistics.requests
        let limitedBefore = await client.statistics.rateLimited
        var employees: [Employee] = []
        var incomplete: String?
        do {
            var pages = 0
            for try await page in client.employees(updatedSince: updatedSince) {
                employees += page.employees
                pages += 1
                progress?(.listing(employees: employees.count, pages: pages))
            }
        } catch let error as PersonioError {
            guard case .incompleteListing(let reason) = error else { throw error }
            incomplete = reason
        } catch {
            throw .unreachable(reason: "\(error)")
        }
        let requests = await client.statistics.requests - before
        let rateLimited = await client.statistics.rateLimited - limitedBefore
        let listing: PlanInput.Listing = updatedSince == nil ? .full(complete: incomplete == nil) : .incremental
        return Fetch(employees: employees, listing: listing, startedAt: now, requests: requests, rateLimited: rateLimited,
                     incompleteReason: incomplete)
    }
}

/// What a long run is doing, for a terminal's progress line.
public enum SyncProgress: Sendable, Equatable {
    /// Personio pages read so far.
    case listing(employees: Int, pages: Int)
    /// Operations applied so far for one connection.
    case applying(connection: String, done: Int, total: Int)
}
