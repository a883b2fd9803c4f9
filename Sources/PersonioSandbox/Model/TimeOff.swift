import Foundation
import SyncEngine

/// A day-unit absence (`TimeOffPeriod`).
struct TimeOff: Codable, Sendable, Equatable {
    var id: Int
    var employeeId: Int
    var timeOffTypeId: Int
    var startDate: LocalDate
    var endDate: LocalDate
    var halfDayStart: Bool
    var halfDayEnd: Bool
    var comment: String
    var status: String
    var createdAt: Date
    var updatedAt: Date
    var createdBy: String
    /// Hour-unit absences on a single day: from and to (HH:mm).
    var startTime: String? = nil
    var endTime: String? = nil

    /// The UUID an hour-unit absence period is known by (`/company/absence-periods`), derived from the id.
    var periodID: String { Self.periodID(id) }

    static func periodID(_ id: Int) -> String {
        let hex = String(id, radix: 16)
        return "9bba303f-0fbc-4514-9958-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    static func id(periodID: String) -> Int? {
        let prefix = "9bba303f-0fbc-4514-9958-"
        guard periodID.lowercased().hasPrefix(prefix) else { return nil }
        return Int(periodID.dropFirst(prefix.count), radix: 16)
    }

    /// Calendar days covered, less half days (the sandbox has no work schedule arithmetic).
    var daysCount: Double {
        var days = Double(startDate.days(until: endDate) + 1)
        if halfDayStart { days -= 0.5 }
        if halfDayEnd, endDate != startDate || !halfDayStart { days -= 0.5 }
        return days
    }

    func overlaps(_ start: LocalDate, _ end: LocalDate) -> Bool {
        startDate <= end && start <= endDate
    }
}
