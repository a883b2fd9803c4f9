import Foundation
@testable import PersonioAPI
import SyncEngine
import Testing

@Suite("Decoding Personio's attribute shapes")
struct EmployeeDecodingTests {
    private func decode(_ json: String) throws -> (Employee?, [DecodeIssue]) {
        let attributes = try #require(try JSONValue.parse(Data(json.utf8)).object)
        return EmployeeDecoder(timeZone: TimeZone(identifier: "Europe/Berlin")!).decode(attributes)
    }

    @Test func toleratesEmptiesNumbersAsTextAndBothDateForms() throws {
        let (employee, issues) = try decode("""
        {"id":{"label":"ID","value":"81723","type":"integer","universal_id":"id"},
         "first_name":{"label":"First name","value":"Jürgen","type":"standard","universal_id":"first_name"},
         "preferred_name":{"label":"Preferred name","value":"","type":"standard","universal_id":"preferred_name"},
         "weekly_working_hours":{"label":"Weekly hours","value":"38,5","type":"standard","universal_id":"weekly_working_hours"},
         "hire_date":{"label":"Hire date","value":"2014-11-09T00:00:00+0100","type":"date","universal_id":"hire_date"},
         "termination_date":{"label":"Termination date","value":null,"type":"date","universal_id":"termination_date"},
         "last_modified_at":{"label":"Last modified","value":"2020-11-18T17:33:55+01:00","type":"date","universal_id":"last_modified_at"},
         "department":{"label":"Department","value":null,"type":"standard","universal_id":"department"},
         "office":{"label":"Office","value":{"type":"Office","attributes":{"name":"München"}},"type":"standard","universal_id":"office"},
         "team":{"label":"Team","value":[],"type":"standard","universal_id":"team"},
         "supervisor":{"label":"Supervisor",
         "value":{"type":"Employee","attributes":{"id":{"label":"ID","value":12,"type":"integer","universal_id":"id"},
         "email":{"label":"Email","value":"boss@x.example","type":"standard","universal_id":"email"}}},"type":"standard","universal_id":"supervisor"},
         "dynamic_21827":{"label":"IBAN","value":"DE98 8989","type":"standard","universal_id":"iban"},
         "dynamic_3":{"label":"Start of visa","value":"2021-01-01","type":"date","universal_id":null},
         "dynamic_4":{"label":"Shoe size","value":"44","type":"integer","universal_id":null},
         "dynamic_5":{"label":"Languages","value":["de","en"],"type":"tags","universal_id":null}}
        """)
        let person = try #require(employee)
        #expect(issues.isEmpty, "\(issues)")
        #expect(person.id == 81723)
        #expect(person.firstName == "Jürgen")
        #expect(person.preferredName == nil)
        #expect(person.weeklyWorkingHours == 38.5)
        #expect(person.hireDate == LocalDate("2014-11-09"))
        #expect(person.terminationDate == nil)
        #expect(person.lastModifiedAt == Date(timeIntervalSince1970: 1_605_717_235))
        #expect(person.department == nil)
        #expect(person.office == OrgUnitRef(id: nil, name: "München"))
        #expect(person.team == nil)
        #expect(person.supervisor == PersonRef(id: 12, email: "boss@x.example"))
        #expect(person.custom["dynamic_21827"] == CustomAttributeValue(label: "IBAN", value: .text("DE98 8989")))
        #expect(person.custom["dynamic_3"]?.value == .date(LocalDate("2021-01-01")!))
        #expect(person.custom["dynamic_4"]?.value == .number(44))
        #expect(person.custom["dynamic_5"]?.value == .text("de,en"))
        #expect(person.readableAttributes.isSuperset(of: ["department", "team", "dynamic_3"]))
    }

    @Test func aValueItCannotReadBecomesAnIssueNotAFailure() throws {
        let (employee, issues) = try decode("""
        {"id":{"label":"ID","value":7,"type":"integer"},
         "hire_date":{"label":"Hire date","value":"31.12.2020","type":"date"},
         "weekly_working_hours":{"label":"Weekly hours","value":"full time","type":"standard"},
         "department":{"label":"Department","value":{"unexpected":true},"type":"standard"},
         "last_name":{"label":"Last name","value":"Weiß","type":"standard"}}
        """)
        #expect(employee?.lastName == "Weiß")
        #expect(employee?.hireDate == nil)
        #expect(Set(issues.map(\.attribute)) == ["hire_date", "weekly_working_hours", "department"])
        #expect(issues.allSatisfy { $0.employeeID == 7 })
        #expect(issues.first { $0.attribute == "hire_date" }?.problem.contains("31.12.2020") == true)
    }

    @Test func anEmployeeWithoutAnIdIsSkippedWithAnIssue() throws {
        let (employee, issues) = try decode(#"{"first_name":{"label":"First name","value":"X","type":"standard"}}"#)
        #expect(employee == nil)
        #expect(issues.map(\.attribute) == ["id"])
    }

    /// The page reader (bytes straight to attributes, interned keys, nested units and supervisors read
    /// without dictionaries) must read exactly what the dictionary path reads, for every shape.
    @Test func thePageReaderReadsWhatTheDictionaryPathReads() throws {
        let items = [
            #"{"id":{"label":"ID","value":1,"type":"integer"},"first_name":{"label":"First name","value":"Ada","type":"standard"},"department":{"label":"Department","value":{"type":"Department","attributes":{"id":{"label":"ID","value":"3"},"name":{"label":"Name","value":"Sales"}}},"type":"standard"},"supervisor":{"label":"Supervisor","value":{"type":"Employee","attributes":{"id":{"label":"ID","value":9,"type":"integer"},"first_name":{"label":"First name","value":"Bo","type":"standard"}}},"type":"standard"},"dynamic_7":{"label":"Shoe size","value":"44","type":"integer","universal_id":null}}"#,
            #"{"id":{"label":"ID","value":2,"type":"integer"},"first_name":{"label":"First name","value":"Bea","type":"standard"},"department":{"label":"Department","value":{"type":"Department","attributes":{}},"type":"standard"},"supervisor":{"label":"Supervisor","value":{"type":"Employee","attributes":{"email":{"label":"Email","value":"x@y.example"}}},"type":"standard"},"dynamic_7":{"label":"Shoe \"size\"","value":"","type":"integer","universal_id":null}}"#,
            #"{"first_name":{"label":"First name","value":"C\u00e9line","type":"standard"},"id":{"label":"ID","value":"3","type":"integer"},"team":"Platform","office":{"label":"Office","value":{"type":"Office","attributes":{"id":5,"name":"Köln"},"extra":[1,{"a":"b"}]},"type":"standard"},"department":{"label":"Department","value":{"unexpected":true},"type":"standard"},"hire_date":{"label":"Hire date","value":"31.12.2020","type":"date"},"dynamic_7":{"label":"Shoe size","value":"45","type":"integer","universal_id":null}}"#,
            // Nested wrappers off the usual shape: a bare {"value":…}, an unknown member, an escaped
            // member name, a label without a value, a currency member.
            #"{"id":{"label":"ID","value":4,"type":"integer"},"department":{"label":"Department","value":{"type":"Department","attributes":{"id":{"value":8},"name":{"value":"Ops","universal_id":"name"}}},"type":"standard"},"supervisor":{"label":"Supervisor","value":{"type":"Employee","attributes":{"id":{"l\u0061bel":"ID","value":"11","note":"x"},"email":{"label":"Email"},"last_name":{"label":"Last name","value":"Lee","type":"standard","currency":null}}},"type":"standard"}}"#,
        ]
        let body = #"{"success":true,"metadata":{"total_elements":4},"data":["#
            + items.map { #"{"type":"Employee","attributes":"# + $0 + "}" }.joined(separator: ",") + "]}"
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let page = try EmployeePage.decode(Array(body.utf8), offset: 0, limit: 100, timeZone: zone)
        var expected: [Employee] = []
        var expectedIssues: [DecodeIssue] = []
        for item in items {
            let (employee, issues) = try decode(item)
            expected += employee.map { [$0] } ?? []
            expectedIssues += issues
        }
        #expect(page.employees.count == 4)
        #expect(page.employees == expected)
        #expect(Set(page.issues.map(\.description)) == Set(expectedIssues.map(\.description)))
        #expect(page.employees.first?.department == OrgUnitRef(id: 3, name: "Sales"))
        #expect(page.employees.first?.supervisor == PersonRef(id: 9, firstName: "Bo"))
        #expect(page.employees[2].firstName == "Céline")
        #expect(page.employees[2].office == OrgUnitRef(id: 5, name: "Köln"))
        #expect(page.employees[3].department == OrgUnitRef(id: 8, name: ""))
        #expect(page.employees[3].supervisor == PersonRef(id: 11, lastName: "Lee"))
        #expect(page.employees[1].custom["dynamic_7"]?.label == #"Shoe "size""#)
    }
}
