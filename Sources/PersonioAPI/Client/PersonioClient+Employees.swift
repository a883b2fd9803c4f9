import Foundation
import SyncEngine

/// One page of employees.
public struct EmployeePage: Sendable {
    public var employees: [Employee]
    /// Values that could not be read; their employees are still in `employees`.
    public var issues: [DecodeIssue]
    /// Item offset of this page.
    public var offset: Int
    /// What Personio says the whole listing holds.
    public var totalElements: Int
    public var isLast: Bool
}

extension EmployeePage {
    /// Decodes the body of `GET /company/employees` (as the client does for every page; public for
    /// recorded responses and benchmarks). `offset` and `limit` are the ones the page was asked with.
    public static func decode(_ body: [UInt8], offset: Int, limit: Int, timeZone: TimeZone) throws(PersonioError) -> EmployeePage {
        let page: EmployeePageReader.Page
        do { page = try EmployeePageReader.read(body) } catch {
            throw .malformedResponse(reason: "the employee list is \(error)")
        }
        let total = page.totalElements ?? (offset + page.items.count)
        let decoder = EmployeeDecoder(timeZone: timeZone)
        var employees: [Employee] = []
        employees.reserveCapacity(page.items.count)
        var issues: [DecodeIssue] = []
        var sharedKeys: (list: [String], set: Set<String>)?
        for item in page.items {
            guard let attributes = item else {
                issues.append(DecodeIssue(employeeID: nil, attribute: "attributes", problem: "an item without attributes"))
                continue
            }
            let keys = attributes.map(\.key)
            if sharedKeys?.list != keys { sharedKeys = (keys, Set(keys).union(["id"])) }
            let (employee, problems) = decoder.decode(attributes, readableKeys: sharedKeys?.set)
            issues += problems
            if let employee { employees.append(employee) }
        }
        return EmployeePage(employees: employees, issues: issues, offset: offset, totalElements: total,
                            isLast: page.items.isEmpty || offset + limit >= total)
    }
}

extension PersonioClient {
    /// The employees, page by page (limit 100, item offsets), fetched as the caller iterates so
    /// that 100,000 employees never sit in memory at once.
    ///
    /// When a page is short although more remain, or `total_elements` changes between pages, the
    /// sequence still yields every page it read and then throws `.incompleteListing`: the people
    /// read are valid, but the listing must not be used to conclude that anyone left.
    ///
    /// Through v2 (`configuration.apiVersion`), `attributes` is not used (v2 cannot select
    /// attributes) and `updatedSince` filters after reading: an employment change leaves a person's
    /// `updated_at` alone, so only reading everyone finds every change.
    public func employees(attributes: [String]? = nil, updatedSince: Date? = nil) -> EmployeePages {
        EmployeePages(client: self, attributes: attributes, updatedSince: updatedSince,
                      version: configuration.apiVersion.forListing(people: nil))
    }

    func employeePage(offset: Int, attributes: [String]?, updatedSince: Date?) async throws(PersonioError) -> EmployeePage {
        try decodePage(try await employeePageBody(offset: offset, attributes: attributes, updatedSince: updatedSince),
                       offset: offset, limit: configuration.pageSize)
    }

    /// The raw body of one page (so the next page can be fetched while this one is decoded).
    func employeePageBody(offset: Int, attributes: [String]?, updatedSince: Date?) async throws(PersonioError) -> [UInt8] {
        var query = [("limit", String(configuration.pageSize)), ("offset", String(offset))]
        for attribute in attributes ?? [] { query.append(("attributes[]", attribute)) }
        if let updatedSince {
            query.append(("updated_since", PersonioTimestamp.format(updatedSince, in: configuration.timeZone)))
        }
        return try await send("GET", "/company/employees", query: query)
    }

    func decodePage(_ body: [UInt8], offset: Int, limit: Int) throws(PersonioError) -> EmployeePage {
        try EmployeePage.decode(body, offset: offset, limit: limit, timeZone: configuration.timeZone)
    }

    /// The id of the employee with this e-mail, if there is one (`GET /company/employees?email=`).
    public func employeeID(email: String) async throws(PersonioError) -> Int? {
        if configuration.apiVersion.forSinglePerson == .v2 { return try await v2EmployeeID(email: email) }
        let body = try await send("GET", "/company/employees", query: [("email", email), ("limit", "1"), ("attributes[]", "email")])
        return try decodePage(body, offset: 0, limit: 1).employees.first?.id
    }

    /// One employee by id.
    public func employee(id: Int) async throws(PersonioError) -> (Employee, [DecodeIssue]) {
        if configuration.apiVersion.forSinglePerson == .v2 { return try await v2Employee(id: id) }
        let body = try await send("GET", "/company/employees/\(id)")
        guard let document = try? JSONValue.parse(Data(body)), let attributes = document["data"]?["attributes"]?.object else {
            throw .malformedResponse(reason: "the employee answer has no data.attributes")
        }
        let (employee, issues) = EmployeeDecoder(timeZone: configuration.timeZone).decode(attributes)
        guard let employee else { throw .malformedResponse(reason: "the employee has no id") }
        return (employee, issues)
    }
}

/// The pages of one employee listing; see `PersonioClient.employees(attributes:updatedSince:)`.
public struct EmployeePages: AsyncSequence, Sendable {
    public typealias Element = EmployeePage
    let client: PersonioClient
    let attributes: [String]?
    let updatedSince: Date?
    let version: PersonioAPIVersion

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, attributes: attributes, updatedSince: updatedSince, version: version)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let client: PersonioClient
        let attributes: [String]?
        let updatedSince: Date?
        let version: PersonioAPIVersion
        /// v2: the next page's link and every link followed so far (a cursor that repeats ends the listing).
        var v2Next: String?
        var v2Followed: Set<String> = []
        /// v2: unit names by `type:id`, read once before the first page.
        var v2UnitNames: [String: String]?
        var offset = 0
        var expectedTotal: Int?
        var anomalies: [String] = []
        var finished = false
        var reported = false
        /// The next pages, already requested and decoded while the caller works on the current one, so
        /// that Personio's work and ours overlap (the limiter still paces every request).
        var ahead: [(offset: Int, page: Task<EmployeePage, any Error>)] = []

        public mutating func next() async throws -> EmployeePage? {
            if finished {
                if !reported, !anomalies.isEmpty {
                    reported = true
                    throw PersonioError.incompleteListing(reason: anomalies.joined(separator: "; "))
                }
                return nil
            }
            if version == .v2 { return try await nextV2() }
            let limit = client.configuration.pageSize
            let fetched: EmployeePage
            do {
                if let first = ahead.first, first.offset == offset {
                    ahead.removeFirst()
                    fetched = try await first.page.value
                } else {
                    fetched = try await client.employeePage(offset: offset, attributes: attributes, updatedSince: updatedSince)
                }
            } catch {
                cancelAhead()
                throw error
            }
            var page = fetched
            if !page.isLast, page.employees.count + page.issues.filter({ $0.attribute == "id" }).count < limit {
                // A short page with more to come: ask once more before calling it truncated.
                let again = try await client.employeePage(offset: offset, attributes: attributes, updatedSince: updatedSince)
                if again.employees.count > page.employees.count { page = again }
                if !page.isLast, page.employees.count < limit {
                    anomalies.append("the page at offset \(offset) held \(page.employees.count) of \(limit) "
                                     + "employees although \(page.totalElements) were announced")
                }
            }
            if let expectedTotal, expectedTotal != page.totalElements {
                anomalies.append("the number of employees changed from \(expectedTotal) to \(page.totalElements) while listing")
            }
            expectedTotal = page.totalElements
            if page.employees.isEmpty, offset < page.totalElements {
                anomalies.append("an empty page at offset \(offset) although \(page.totalElements) were announced")
                page.isLast = true
            }
            // Ask for the next pages once this one is known to be whole (a short page is fetched again
            // first), when the total announced says there are more: a one-page listing costs one request.
            var upcoming = (ahead.last?.offset ?? offset) + limit
            while !page.isLast, ahead.count < client.configuration.pagesAhead, upcoming < page.totalElements {
                let (client, attributes, updatedSince, pageOffset) = (client, attributes, updatedSince, upcoming)
                ahead.append((pageOffset, Task {
                    try await client.employeePage(offset: pageOffset, attributes: attributes, updatedSince: updatedSince)
                }))
                upcoming += limit
            }
            offset += limit
            finished = page.isLast
            if finished { cancelAhead() }
            return page
        }

        private mutating func nextV2() async throws -> EmployeePage? {
            if v2UnitNames == nil { v2UnitNames = try await client.v2UnitNames() }
            var (page, next) = try await client.v2EmployeePage(href: v2Next, offset: offset, unitNames: v2UnitNames ?? [:])
            offset += page.employees.count
            if let updatedSince {
                page.employees = page.employees.filter { ($0.lastModifiedAt ?? .distantFuture) > updatedSince }
            }
            if let next, !v2Followed.insert(next).inserted {
                anomalies.append("Personio's v2 person list repeated the cursor \(next.excerpt(80)); stopped after \(offset) people")
                finished = true
                return page
            }
            v2Next = next
            finished = next == nil
            return page
        }

        private mutating func cancelAhead() {
            for (_, page) in ahead { page.cancel() }
            ahead = []
        }
    }
}
