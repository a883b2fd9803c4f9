import Foundation
@testable import PersonioAPI
import Testing

@Suite("Reading JSON")
struct JSONScannerTests {
    private func parse(_ json: String) throws -> JSONValue {
        try JSONValue.parse(Data(json.utf8))
    }

    @Test func stringsWithEscapesEndAtTheRightQuote() throws {
        let value = try parse(#"{"a":"x\\","b":"say \"hi\"","c":"tab\there","d":"\u00e9\ud83d\ude00","e":"\\\"","f":""}"#)
        #expect(value["a"]?.string == #"x\"#)
        #expect(value["b"]?.string == #"say "hi""#)
        #expect(value["c"]?.string == "tab\there")
        #expect(value["d"]?.string == "é😀")
        #expect(value["e"]?.string == #"\""#)
        #expect(value["f"]?.string == "")
    }

    @Test func skippedValuesWithEscapesDoNotDerailTheRest() throws {
        // The page reader skips attributes it does not read; what follows must still be found.
        let body = #"{"data":[],"skipped":{"k\"ey":"v\\","list":["\\\"",{"x":"]"}]},"metadata":{"total_elements":3}}"#
        let page = try EmployeePageReader.read(Array(body.utf8))
        #expect(page.totalElements == 3)
        #expect(page.items.isEmpty)
    }

    @Test func numbersWholeNegativeDecimalAndLarge() throws {
        let value = try parse(#"[0,-12,40,38.5,-0.25,1e3,123456789012345678,9007199254740993.5]"#)
        let numbers = value.array?.compactMap(\.number) ?? []
        #expect(numbers == [0, -12, 40, 38.5, -0.25, 1000, Double("123456789012345678"), Double("9007199254740993.5")])
        #expect(throws: (any Error).self) { try parse("[-]") }
        #expect(throws: (any Error).self) { try parse(#"{"a":"unterminated}"#) }
    }
}
