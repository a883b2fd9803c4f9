import Foundation

/// A time zone's UTC offsets as a sorted table of transitions, built once, so rendering or reading
/// thousands of timestamps does not ask Foundation's time-zone database each time.
public struct ZoneOffsetTable: Sendable {
    /// Transition instants (epoch seconds) and the offset in force from each.
    private let starts: [Int]
    private let offsets: [Int]

    /// Transitions between 1900 and 2200 (offsets outside fall back to the nearest end).
    public init(_ timeZone: TimeZone) {
        var starts = [Int.min]
        var offsets = [timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: -2_208_988_800))]
        var cursor = Date(timeIntervalSince1970: -2_208_988_800)
        let end = Date(timeIntervalSince1970: 7_258_118_400)
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            starts.append(Int(next.timeIntervalSince1970))
            offsets.append(timeZone.secondsFromGMT(for: next))
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// The offset in seconds at an instant.
    public func offset(atEpochSeconds seconds: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The offset at local midnight of a calendar date.
    public func offset(atLocalMidnightOf daysSinceEpoch: Int) -> Int {
        let midnightUTC = daysSinceEpoch * 86_400
        return offset(atEpochSeconds: midnightUTC - offset(atEpochSeconds: midnightUTC))
    }
}
