import Foundation
import Testing
@testable import PersonioSandbox
import SyncEngine

@Suite("Company generator")
struct GeneratorTests {
    private let today = LocalDate(year: 2026, month: 11, day: 22)!
    private let now = Date(timeIntervalSince1970: 1_795_300_000)

    private func generate(_ count: Int, seed: UInt64) -> Company {
        CompanyGenerator(employeeCount: count, seed: seed, today: today, now: now).generate()
    }

    @Test func theSameSeedGivesTheSameCompanyAndAnotherSeedAnother() throws {
        // Sorted keys: dictionaries iterate in a per-instance order. Compared as Bool so a failure
        // reports quickly instead of diffing two large byte collections.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = try encoder.encode(generate(300, seed: 1))
        let b = try encoder.encode(generate(300, seed: 1))
        let c = try encoder.encode(generate(300, seed: 2))
        let same = a == b
        let different = a != c
        #expect(same)
        #expect(different)
    }

    @Test func coversEveryLifecycleSituation() {
        let company = generate(2000, seed: 3)
        let people = company.employees
        #expect(people.contains { $0.status == "onboarding" && ($0.hireDate ?? today) > today })
        #expect(people.contains { $0.status == "leave" })
        #expect(people.contains { $0.status == "inactive" && ($0.terminationDate ?? today) < today })
        #expect(people.contains { $0.status == "active" && ($0.terminationDate ?? today) > today })
        #expect(people.contains { $0.contractEndDate != nil })
        #expect(people.contains { $0.employmentType == "external" })
        #expect(!company.timeOffs.isEmpty)
        #expect(company.timeOffTypes.contains { $0.unit == .hour })
    }

    @Test func emailsAreUniqueAndNamesUseSeveralScripts() {
        let people = generate(5000, seed: 4).employees
        #expect(Set(people.map { $0.email.lowercased() }).count == people.count)
        #expect(people.allSatisfy { $0.email.allSatisfy(\.isASCII) })
        let names = people.map { $0.firstName + $0.lastName }
        #expect(names.contains { $0.contains("ü") || $0.contains("ö") || $0.contains("ß") })
        #expect(names.contains { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } })  // CJK
        #expect(names.contains { $0.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } })  // Cyrillic
    }

    @Test func supervisorsFormATreeRootedAtOnePerson() {
        let company = generate(3000, seed: 5)
        let ids = Set(company.employees.map(\.id))
        let roots = company.employees.filter { $0.supervisorId == nil }
        #expect(roots.count == 1)
        for employee in company.employees {
            var seen: Set<Int> = [employee.id]
            var current = employee.supervisorId
            while let id = current {
                #expect(ids.contains(id))
                #expect(seen.insert(id).inserted, "cycle through \(id)")
                current = company.employee(id: id)?.supervisorId
            }
        }
    }

    @Test func createdAtPrecedesLastModifiedAtWhichIsNotInTheFuture() {
        for employee in generate(1000, seed: 6).employees {
            #expect(employee.createdAt <= employee.lastModifiedAt)
            #expect(employee.lastModifiedAt <= now)
        }
    }
}

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test func allows2000PerMinuteOverall() {
        var limiter = RateLimiter(perMinute: 2000)
        let start = Date(timeIntervalSince1970: 0)
        for index in 0..<2000 {
            #expect(limiter.admit("all", at: start.addingTimeInterval(Double(index) * 0.02)) == nil)
        }
        let wait = limiter.admit("all", at: start.addingTimeInterval(40))
        #expect(wait.map { abs($0 - 20) < 0.01 } == true)
        #expect(limiter.admit("all", at: start.addingTimeInterval(60.001)) == nil)
    }

    @Test func keysAreIndependent() {
        var limiter = RateLimiter(perMinute: 1)
        let now = Date(timeIntervalSince1970: 0)
        #expect(limiter.admit("a", at: now) == nil)
        #expect(limiter.admit("a", at: now) != nil)
        #expect(limiter.admit("b", at: now) == nil)
    }
}

@Suite("Form fields")
struct FormFieldTests {
    @Test func foldsBracketedNamesIntoObjectsAndLists() {
        let object = FormFields.object(FormFields.pairs(
            "employee%5Bfirst_name%5D=J%C3%BCrgen+M&employee[custom_attributes][dynamic_1]=x&employees[]=1&employees[]=2"))
        #expect(object["employee"] == .object(["first_name": .string("Jürgen M"), "custom_attributes": .object(["dynamic_1": .string("x")])]))
        #expect(object["employees"] == .array([.string("1"), .string("2")]))
    }
}
