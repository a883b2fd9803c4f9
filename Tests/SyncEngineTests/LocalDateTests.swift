import Testing
import SyncEngine

@Suite("LocalDate")
struct LocalDateTests {
    @Test func parsesDatesAndTheDatePartOfTimestamps() {
        #expect(LocalDate("2026-11-22") == LocalDate(year: 2026, month: 11, day: 22))
        #expect(LocalDate("2014-11-09T00:00:00+01:00") == LocalDate(year: 2014, month: 11, day: 9))
        #expect(LocalDate("2026-02-30") == nil)
        #expect(LocalDate("22.11.2026") == nil)
        #expect(LocalDate("2026-11-22X") == nil)
        #expect(LocalDate("2024-02-29") != nil)
        #expect(LocalDate("2023-02-29") == nil)
    }

    @Test func countsDaysAcrossMonthsYearsAndLeapDays() throws {
        let start = try #require(LocalDate("2024-02-27"))
        #expect(start.adding(days: 3).description == "2024-03-01")
        #expect(start.days(until: try #require(LocalDate("2025-02-27"))) == 366)
        #expect(try #require(LocalDate("1970-01-01")).daysSinceEpoch == 0)
        #expect(try #require(LocalDate("1969-12-31")).daysSinceEpoch == -1)
        for offset in stride(from: -800_000, to: 800_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: offset).daysSinceEpoch == offset)
        }
    }

    @Test func ordersChronologically() throws {
        #expect(try #require(LocalDate("2026-01-31")) < (try #require(LocalDate("2026-02-01"))))
        #expect(!(try #require(LocalDate("2026-02-01")) < (try #require(LocalDate("2026-02-01")))))
    }
}

@Suite("Excerpts of what other systems say")
struct ExcerptTests {
    @Test func oneLineNoControlCharactersCutAtTheLimit() {
        #expect("a\nb\r\n\tc\u{1B}[31md  ".excerpt() == "a b c [31md")
        #expect(String(repeating: "x", count: 300).excerpt(10) == "xxxxxxxxxx…")
        #expect("short".excerpt() == "short")
    }
}
