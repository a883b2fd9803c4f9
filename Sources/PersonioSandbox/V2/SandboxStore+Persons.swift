import Foundation
import PersonioAPI

/// `GET /v2/persons[/{id}]` and `GET /v2/persons/{id}/employments[/{id}]`: the same people as v1,
/// under the same ids, one employment each.
extension SandboxStore {
    /// The filters of `GET /v2/persons`; filters combine with AND.
    static let personFilters: Set<String> = [
        "id", "email", "first_name", "last_name", "preferred_name", "created_at", "created_at.gt", "created_at.lt",
        "updated_at", "updated_at.gt", "updated_at.lt", "status",
    ]
    static let employmentFilters: Set<String> = ["id", "updated_at", "updated_at.gt", "updated_at.lt"]

    func personsPage(credential: SandboxCredential, query: [(String, String)], origin: String) throws(V2Failure) -> PersonListing {
        let (paging, filters) = try Self.split(query, filters: Self.personFilters)
        let matches = try PersonFilter(filters, timeZone: configuration.timeZone)
        let after = paging.after.flatMap { Int($0) } ?? Int.min
        if paging.after != nil, Int(paging.after ?? "") == nil { throw .invalidParameter("cursor", "the cursor is not one this API issued") }
        let page = keysetPage(company.employees, paging: paging, links: V2Links(origin: origin, path: "/v2/persons", filters: filters),
                              including: { $0.id > after && matches($0) }, cursor: { String($0.id) })
        return PersonListing(renderer: PersonRenderer(company: company, credential: credential, origin: origin), page: page)
    }

    func personDocument(credential: SandboxCredential, id: String, origin: String) throws(V2Failure) -> [UInt8] {
        let employee = try person(id)
        var json = JSONWriter()
        PersonRenderer(company: company, credential: credential, origin: origin).writePerson(employee, into: &json)
        return json.bytes
    }

    /// Every person has one employment; the list holds it unless a filter leaves it out.
    func employmentsPage(credential: SandboxCredential, personID: String, query: [(String, String)],
                         origin: String) throws(V2Failure) -> [UInt8] {
        let employee = try person(personID)
        let (paging, filters) = try Self.split(query, filters: Self.employmentFilters)
        let matches = try EmploymentFilter(filters, timeZone: configuration.timeZone)
        let employmentID = PersonRenderer.employmentID(of: employee.id)
        let included = matches(employee, employmentID: employmentID) && (paging.after.map { $0 < employmentID } ?? true)
        let path = "/v2/persons/\(employee.id)/employments"
        let page = V2Page(items: included ? [employee] : [], selfHref: V2Links(origin: origin, path: path, filters: filters)
            .href(cursor: paging.cursor, limit: paging.limit), nextHref: nil)
        let renderer = PersonRenderer(company: company, credential: credential, origin: origin)
        return page.render { employee, json in renderer.writeEmployment(employee, into: &json) }
    }

    func employmentDocument(credential: SandboxCredential, personID: String, id: String, origin: String) throws(V2Failure) -> [UInt8] {
        let employee = try person(personID)
        guard id.lowercased() == PersonRenderer.employmentID(of: employee.id) else { throw .notFound() }
        var json = JSONWriter()
        PersonRenderer(company: company, credential: credential, origin: origin).writeEmployment(employee, into: &json)
        return json.bytes
    }

    private func person(_ id: String) throws(V2Failure) -> SandboxEmployee {
        guard let number = Int(id), let employee = company.employee(id: number) else { throw .notFound() }
        return employee
    }

    /// One keyset page: the first `limit` of `items` (in cursor order) that are `including`d, and a
    /// `next` link after the last of them when more follow.
    func keysetPage<Item: Sendable>(_ items: some Sequence<Item>, paging: V2Paging, links: V2Links, including: (Item) -> Bool,
                                    cursor: (Item) -> String) -> V2Page<Item> {
        var selected: [Item] = []
        for item in items where including(item) {
            selected.append(item)
            if selected.count > paging.limit { break }
        }
        let more = selected.count > paging.limit
        if more { selected.removeLast() }
        let next = more ? selected.last.map { nextLink(links, cursor: V2Paging.cursor(after: cursor($0)), repeating: paging.cursor,
                                                       limit: paging.limit) } : nil
        return V2Page(items: selected, selfHref: links.href(cursor: paging.cursor, limit: paging.limit), nextHref: next)
    }

    /// Splits a query into paging and filters, refusing a parameter the route does not know:
    /// `name.op` with an unknown operator is Personio's "filter encoding is invalid".
    static func split(_ query: [(String, String)], filters known: Set<String>,
                      maximum: Int = V2Paging.maximumLimit) throws(V2Failure) -> (V2Paging, [(String, String)]) {
        var filters: [(String, String)] = []
        for (name, value) in query where name != "limit" && name != "cursor" {
            guard known.contains(name) else {
                if name.contains(".") { throw .invalidFilter(name) }
                throw .invalidParameter(name, "\(name) is not a parameter of this endpoint")
            }
            filters.append((name, value))
        }
        return (try V2Paging(query: query, maximum: maximum), filters)
    }
}

/// One page of persons, taken from the store and rendered in the request's task.
struct PersonListing: Sendable {
    let renderer: PersonRenderer
    let page: V2Page<SandboxEmployee>

    func render() -> [UInt8] {
        page.render { employee, json in renderer.writePerson(employee, into: &json) }
    }
}
