@testable import Hub
import SyncEngine
import Testing

@Suite("The checks several services make on typed input")
struct InputRulesTests {
    @Test func anAddressIsHTTPOrHTTPSWithAHost() throws {
        let address = try InputRules.httpAddress("  HTTPS://app.example/scim/v2 ", field: "scim.base_url", message: "an address")
        #expect(address.text == "HTTPS://app.example/scim/v2")
        #expect(address.url.host == "app.example")
        for bad in [nil, "", "ftp://app.example", "app.example/scim", "https://", "not a url"] as [String?] {
            #expect(throws: ServiceError.invalid("url", "an address")) {
                _ = try InputRules.httpAddress(bad, field: "url", message: "an address")
            }
        }
    }

    @Test func aDateIsYearMonthDayAndATimestampOnlyWhereAllowed() throws {
        #expect(try InputRules.date("2027-03-01", field: "start_date", message: "m") == LocalDate("2027-03-01"))
        #expect(throws: ServiceError.invalid("start_date", "m")) { _ = try InputRules.date("2027-03-01T10:00:00", field: "start_date", message: "m") }
        #expect(try InputRules.date("2027-03-01T10:00:00", field: "hire_date", message: "m", withTime: true) == LocalDate("2027-03-01"))
        for bad in [nil, "", "1.3.2027", "2027-3-1", "2027-13-01"] as [String?] {
            #expect(throws: ServiceError.invalid("d", "m")) { _ = try InputRules.date(bad, field: "d", message: "m") }
        }
    }
}
