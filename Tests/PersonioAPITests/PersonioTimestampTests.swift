import Foundation
import PersonioAPI
import SyncEngine
import Testing

@Suite("Personio timestamps")
struct PersonioTimestampTests {
    private let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func formatsWithAColonOffsetThatFollowsDaylightSaving() throws {
        #expect(PersonioTimestamp.format(try #require(LocalDate("2014-11-09")), in: berlin) == "2014-11-09T00:00:00+01:00")
        #expect(PersonioTimestamp.format(try #require(LocalDate("2026-07-01")), in: berlin) == "2026-07-01T00:00:00+02:00")
        #expect(PersonioTimestamp.format(Date(timeIntervalSince1970: 0), in: berlin) == "1970-01-01T01:00:00+01:00")
    }

    @Test func parsesEveryFormPersonioSends() throws {
        let expected = Date(timeIntervalSince1970: 1_415_487_600)  // 2014-11-09T00:00:00+01:00
        for text in ["2014-11-09T00:00:00+01:00", "2014-11-09T00:00:00+0100", "2014-11-08T23:00:00Z", "2014-11-09",
                     "2014-11-09T00:00:00", "2014-11-08T23:00:00.000Z"] {
            #expect(PersonioTimestamp.parse(text, defaultTimeZone: berlin) == expected, "\(text)")
        }
        #expect(PersonioTimestamp.parse("yesterday", defaultTimeZone: berlin) == nil)
        #expect(PersonioTimestamp.parse("2014-11-09T25:00:00", defaultTimeZone: berlin) == nil)
        #expect(PersonioTimestamp.parse("2014-11-09T00:00:00+1", defaultTimeZone: berlin) == nil)
    }

    @Test func readsTheLocalDateOfAnInstant() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Berlin.
        let instant = Date(timeIntervalSince1970: 1_798_759_800)  // 2026-12-31T23:30:00Z
        #expect(PersonioTimestamp.localDate(of: instant, in: berlin).description == "2027-01-01")
        #expect(PersonioTimestamp.localDate(of: instant, in: TimeZone(identifier: "UTC")!).description == "2026-12-31")
    }

    @Test func theOffsetTableAgreesWithFoundation() {
        for zone in [berlin, TimeZone(identifier: "America/New_York")!, TimeZone(identifier: "Asia/Kolkata")!] {
            let table = ZoneOffsetTable(zone)
            // every 7 hours 13 minutes across 1990–2040, which lands near every transition
            for seconds in stride(from: 631_152_000, to: 2_208_988_800, by: 25_980) {
                #expect(table.offset(atEpochSeconds: seconds) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
            }
        }
        let table = ZoneOffsetTable(berlin)
        #expect(table.offset(atLocalMidnightOf: LocalDate("2026-07-01")!.daysSinceEpoch) == 7200)
        #expect(table.offset(atLocalMidnightOf: LocalDate("2026-03-29")!.daysSinceEpoch) == 3600, "DST starts at 02:00 that day")
    }
}
