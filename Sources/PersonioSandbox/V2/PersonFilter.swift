import Foundation
import PersonioAPI

/// The filters of `GET /v2/persons`, parsed once and applied to each person.
struct PersonFilter {
    private var tests: [(SandboxEmployee) -> Bool] = []

    init(_ filters: [(String, String)], timeZone: TimeZone) throws(V2Failure) {
        for (name, value) in filters {
            switch name {
            case "id":
                let ids = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                tests.append { ids.contains(String($0.id)) }
            case "email":
                let emails = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                tests.append { emails.contains($0.email.lowercased()) }
            case "first_name": tests.append { $0.firstName == value }
            case "last_name": tests.append { $0.lastName == value }
            case "preferred_name": tests.append { ($0.preferredName ?? "") == value }
            case "status":
                guard value == "ACTIVE" || value == "INACTIVE" else {
                    throw .invalidParameter("status", "status must be ACTIVE or INACTIVE")
                }
                let inactive = value == "INACTIVE"
                tests.append { ($0.status == "inactive") == inactive }
            default:
                let instant = try Self.instant(name, value, timeZone: timeZone)
                let field = name.hasPrefix("created_at") ? \SandboxEmployee.createdAt : nil
                let test = Self.compare(name, instant)
                if let field {
                    tests.append { test($0[keyPath: field]) }
                } else {
                    tests.append { test(PersonRenderer.personUpdatedAt($0)) }
                }
            }
        }
    }

    func callAsFunction(_ employee: SandboxEmployee) -> Bool {
        tests.allSatisfy { $0(employee) }
    }

    static func instant(_ name: String, _ value: String, timeZone: TimeZone) throws(V2Failure) -> Date {
        guard value.contains("T"), let date = PersonioTimestamp.parse(value, defaultTimeZone: timeZone) else {
            throw .invalidParameter(name, "\(name) must be a date-time such as 2023-01-01T12:00:00Z")
        }
        return date
    }

    /// `x` exactly (to the second), `x.gt` after, `x.lt` before.
    static func compare(_ name: String, _ instant: Date) -> (Date) -> Bool {
        let second = instant.timeIntervalSince1970.rounded(.down)
        if name.hasSuffix(".gt") { return { $0.timeIntervalSince1970.rounded(.down) > second } }
        if name.hasSuffix(".lt") { return { $0.timeIntervalSince1970.rounded(.down) < second } }
        return { $0.timeIntervalSince1970.rounded(.down) == second }
    }
}

/// The filters of `GET /v2/persons/{id}/employments`.
struct EmploymentFilter {
    private var tests: [(SandboxEmployee, String) -> Bool] = []

    init(_ filters: [(String, String)], timeZone: TimeZone) throws(V2Failure) {
        for (name, value) in filters {
            if name == "id" {
                let ids = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                tests.append { ids.contains($1) }
            } else {
                let test = PersonFilter.compare(name, try PersonFilter.instant(name, value, timeZone: timeZone))
                tests.append { employee, _ in test(PersonRenderer.employmentUpdatedAt(employee)) }
            }
        }
    }

    func callAsFunction(_ employee: SandboxEmployee, employmentID: String) -> Bool {
        tests.allSatisfy { $0(employee, employmentID) }
    }
}
