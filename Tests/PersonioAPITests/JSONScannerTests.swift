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

    @Test func deepNestingIsRefusedWithAnErrorNotACrash() throws {
        // 10,000 levels in about 20 KB overflowed the recursive parser's stack (SIGSEGV).
        let arrays = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let objects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        for deep in [arrays, objects, #"{"data":[],"skipped":"# + arrays + "}", #"{"data":["# + objects + "]}"] {
            let error = try #require(throws: JSONParseError.self) { try parse(deep) }
            #expect(error.message == "nested deeper than 256 levels")
            #expect(throws: JSONParseError.self) { try EmployeePageReader.read(Array(deep.utf8)) }
        }
        // the limit itself is fine
        let deepest = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try parse(deepest).array?.count == 1)
        #expect(throws: JSONParseError.self) { try parse("[" + deepest + "]") }
    }

    @Test func hostileEscapesAndNumbersAreValuesOrErrorsNeverTraps() throws {
        // a high surrogate followed by a non-surrogate escape used to underflow (low - 0xDC00)
        #expect(try parse(#"["\ud800\u0041"]"#)[0]?.string == "?A")
        #expect(throws: JSONParseError.self) { try parse(#"["\u12"]"#) }
        // numbers beyond Int are no Int (Int(1e300) traps)
        #expect(try parse("[1e300]")[0]?.int == nil)
        #expect(try parse("[-1e19]")[0]?.int == nil)
        #expect(try parse("[42]")[0]?.int == 42)
    }
}
