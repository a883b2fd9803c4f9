import Foundation
import SyncEngine

/// Reading people through v2: persons in cursor pages of 50, each person's employments with one
/// more request, decoded into the `Employee` the v1 path gives.
extension PersonioClient {
    /// One page of persons with their employments. `href`: the previous page's `next` link, nil for
    /// the first page. Returns the employees and the next page's URL, checked to be on Personio's
    /// v2 root (a link elsewhere would carry the token to another host).
    func v2EmployeePage(href: String?, offset: Int, unitNames: [String: String] = [:]) async throws(PersonioError)
        -> (page: EmployeePage, next: String?) {
        let body: [UInt8]
        if let href {
            body = try await send("GET", href, api: .v2)
        } else {
            body = try await send("GET", "/v2/persons", query: [("limit", String(configuration.v2PageSize))], api: .v2)
        }
        guard let document = try? JSONValue.parse(Data(body)), let persons = document["_data"]?.array else {
            throw .malformedResponse(reason: "the v2 person list has no _data array")
        }
        let next = try resolveNext(document["_meta"]?["links"]?["next"]?["href"]?.string)
        let employments = try await v2Employments(of: persons)
        let decoder = PersonDecoder(timeZone: configuration.timeZone)
        var employees: [Employee] = []
        var issues: [DecodeIssue] = []
        for (person, personEmployments) in zip(persons, employments) {
            let (employee, problems) = decoder.decode(person: person, employments: personEmployments)
            issues += problems
            if var employee {
                PersonDecoder.name(&employee, from: unitNames)
                employees.append(employee)
            }
        }
        let page = EmployeePage(employees: employees, issues: issues, offset: offset, totalElements: offset + persons.count,
                                isLast: next == nil || persons.isEmpty)
        return (page, persons.isEmpty ? nil : next)
    }

    /// The absolute URL of a `next` link: relative links hang off the v2 root; absolute ones must be on it.
    func resolveNext(_ href: String?) throws(PersonioError) -> String? {
        guard let href, !href.isEmpty else { return nil }
        let root = configuration.v2RootURL
        if href.hasPrefix("/") { return root + href }
        guard href.hasPrefix(root + "/") else {
            throw .malformedResponse(reason: "the next page link leads away from \(root) (\(href.excerpt(80)))")
        }
        return href
    }

    /// Each person's employments, several requests in flight (the limiter paces them), in order.
    func v2Employments(of persons: [JSONValue]) async throws(PersonioError) -> [[JSONValue]] {
        let ids = persons.map { $0["id"].flatMap(EmployeeDecoder.text) }
        let parallel = max(1, configuration.v2ParallelRequests)
        do {
            return try await withThrowingTaskGroup(of: (Int, [JSONValue]).self) { group in
                var results = [[JSONValue]](repeating: [], count: ids.count)
                var nextIndex = 0
                /// Starts the next person's request (a person without an id has none to make).
                func startNext() {
                    while nextIndex < ids.count {
                        let index = nextIndex
                        nextIndex += 1
                        guard let id = ids[index] else { continue }
                        group.addTask { (index, try await self.v2Employments(ofPerson: id)) }
                        return
                    }
                }
                for _ in 0..<parallel { startNext() }
                while let (index, employments) = try await group.next() {
                    results[index] = employments
                    startNext()
                }
                return results
            }
        } catch let error as PersonioError {
            throw error
        } catch {
            throw .unreachable(reason: String(describing: error))
        }
    }

    /// `GET /v2/persons/{id}/employments`, every page.
    func v2Employments(ofPerson id: String) async throws(PersonioError) -> [JSONValue] {
        try await v2List("/v2/persons/\(Self.pathSegment(id))/employments", query: [("limit", "50")])
    }

    /// One person by id through v2 (the person and their employments: two requests).
    func v2Employee(id: Int) async throws(PersonioError) -> (Employee, [DecodeIssue]) {
        let body = try await send("GET", "/v2/persons/\(id)", api: .v2)
        guard let person = try? JSONValue.parse(Data(body)), person["id"] != nil else {
            throw .malformedResponse(reason: "the v2 person answer has no id")
        }
        let employments = try await v2Employments(ofPerson: String(id))
        let (decoded, issues) = PersonDecoder(timeZone: configuration.timeZone).decode(person: person, employments: employments)
        guard var employee = decoded else { throw .malformedResponse(reason: "the person has no numeric id") }
        if let supervisor = employee.supervisor, supervisor.email == nil,
           let body = try? await send("GET", "/v2/persons/\(supervisor.id)", api: .v2), let document = try? JSONValue.parse(Data(body)) {
            // v2 names the supervisor by id only; v1 also gives the e-mail and names mappings use
            employee.supervisor = PersonRef(id: supervisor.id, email: document["email"]?.string, firstName: document["first_name"]?.string,
                                            lastName: document["last_name"]?.string)
        }
        if employee.department != nil || employee.team != nil || employee.subcompany != nil {
            var names = await unitNameCache.get(now: clock.now(), maxAge: .seconds(300))
            if names == nil {
                let fresh = try await v2UnitNames()
                await unitNameCache.set(fresh, at: clock.now())
                names = fresh
            }
            PersonDecoder.name(&employee, from: names ?? [:])
        }
        return (employee, issues)
    }

    /// The names of departments, teams (`/v2/org-units`) and legal entities (`/v2/legal-entities`) by
    /// `type:id`, which employments name by id only.
    func v2UnitNames() async throws(PersonioError) -> [String: String] {
        var names: [String: String] = [:]
        for (path, fixedType) in [("/v2/org-units", nil), ("/v2/legal-entities", "legal_entity")] as [(String, String?)] {
            for item in try await v2List(path, query: [("limit", "100")]) {
                guard let id = item["id"].flatMap(EmployeeDecoder.text), let name = item["name"]?.string,
                      let type = fixedType ?? item["type"]?.string?.lowercased() else { continue }
                names["\(type):\(id)"] = name
            }
        }
        return names
    }

    /// The id of the person with this e-mail through v2 (`GET /v2/persons?email=`).
    func v2EmployeeID(email: String) async throws(PersonioError) -> Int? {
        let body = try await send("GET", "/v2/persons", query: [("email", email), ("limit", "1")], api: .v2)
        guard let document = try? JSONValue.parse(Data(body)), let persons = document["_data"]?.array else {
            throw .malformedResponse(reason: "the v2 person list has no _data array")
        }
        return persons.first?["id"].flatMap(EmployeeDecoder.integer)
    }

    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? text
    }
}
