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
