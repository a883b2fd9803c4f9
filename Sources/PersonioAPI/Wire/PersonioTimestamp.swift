import Foundation
import SyncEngine

/// Personio's timestamp text: `2014-11-09T00:00:00+01:00` (offset with a colon), in the company's
/// time zone. Older payloads use `+0100`; newer custom date attributes are plain `2021-01-01`.
public enum PersonioTimestamp {
    /// Formats an instant as seen in `timeZone`, e.g. `2026-11-22T12:05:00+01:00`.
    public static func format(_ date: Date, in timeZone: TimeZone) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let offset = timeZone.secondsFromGMT(for: date)
        return format(epochSeconds: seconds, offsetSeconds: offset)
    }

    /// Formats a calendar date as midnight in `timeZone`, e.g. `2026-12-01T00:00:00+01:00`.
    public static func format(_ date: LocalDate, in timeZone: TimeZone) -> String {
        let midnightUTC = Date(timeIntervalSince1970: TimeInterval(date.daysSinceEpoch) * 86_400)
        let offset = timeZone.secondsFromGMT(for: midnightUTC.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: midnightUTC))))
        return date.description + "T00:00:00" + formatOffset(offset)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` with an optional `Z`, `±HH:MM` or `±HHMM` offset (none means
    /// `defaultTimeZone`), or a plain `YYYY-MM-DD` (midnight in `defaultTimeZone`).
    public static func parse(_ text: String, defaultTimeZone: TimeZone) -> Date? {
        guard let date = LocalDate(text) else { return nil }
        let bytes = Array(text.utf8)
        var secondsOfDay = 0
        var offset: Int?
        if bytes.count > 10 {
            guard bytes.count >= 19, bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  let hour = digits(bytes, 11..<13), let minute = digits(bytes, 14..<16),
                  let second = digits(bytes, 17..<19), hour < 24, minute < 60, second < 61 else { return nil }
            secondsOfDay = hour * 3600 + minute * 60 + second
            var rest = bytes[19...]
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst().drop { (48...57).contains($0) }
            }
            if rest.isEmpty {
                offset = nil
            } else if rest.count == 1, rest.first == UInt8(ascii: "Z") {
                offset = 0
            } else {
                let sign: Int
                switch rest.first {
                case UInt8(ascii: "+"): sign = 1
                case UInt8(ascii: "-"): sign = -1
                default: return nil
                }
                let tail = Array(rest.dropFirst())
                let compact = tail.count == 5 && tail[2] == UInt8(ascii: ":") ? [tail[0], tail[1], tail[3], tail[4]] : tail
                guard compact.count == 4, let hours = digits(compact, 0..<2), let minutes = digits(compact, 2..<4)
                else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
            }
        }
        let localSeconds = date.daysSinceEpoch * 86_400 + secondsOfDay
        if let offset {
            return Date(timeIntervalSince1970: TimeInterval(localSeconds - offset))
        }
        let guess = Date(timeIntervalSince1970: TimeInterval(localSeconds))
        let zoneOffset = defaultTimeZone.secondsFromGMT(for: guess.addingTimeInterval(-TimeInterval(defaultTimeZone.secondsFromGMT(for: guess))))
        return Date(timeIntervalSince1970: TimeInterval(localSeconds - zoneOffset))
    }

    /// The calendar date of an instant in `timeZone`.
    public static func localDate(of date: Date, in timeZone: TimeZone) -> LocalDate {
        LocalDate.today(date, timeZone)
    }

    static func format(epochSeconds: Int, offsetSeconds: Int) -> String {
        let local = epochSeconds + offsetSeconds
        let days = floorDiv(local, 86_400)
        let secondsOfDay = local - days * 86_400
        let date = LocalDate(daysSinceEpoch: days)
        return date.description + "T" + two(secondsOfDay / 3600) + ":" + two(secondsOfDay % 3600 / 60) + ":"
            + two(secondsOfDay % 60) + formatOffset(offsetSeconds)
    }

    static func formatOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        return sign + two(magnitude / 3600) + ":" + two(magnitude % 3600 / 60)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func digits(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            guard index < bytes.count else { return nil }
            let digit = Int(bytes[index]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
