import Foundation
import SyncEngine

/// One employee as the sandbox stores it: typed standard fields, custom attributes by key, and
/// when each attribute last changed (so `updated_since` with `attributes[]` can select by attribute).
struct SandboxEmployee: Codable, Sendable {
    var id: Int
    var firstName: String
    var lastName: String
    var preferredName: String?
    var email: String
    var gender: String?
    var status: String
    var position: String?
    var supervisorId: Int?
    var employmentType: String?
    var weeklyWorkingHours: String?
    var hireDate: LocalDate?
    var contractEndDate: LocalDate?
    var terminationDate: LocalDate?
    var terminationType: String?
    var terminationReason: String?
    var probationPeriodEnd: LocalDate?
    var lastWorkingDay: LocalDate?
    var createdAt: Date
    var lastModifiedAt: Date
    var subcompanyId: Int?
    var officeId: Int?
    var departmentId: Int?
    var teamId: Int?
    var costCenters: [CostCenterShare] = []
    var holidayCalendarId: Int?
    var workScheduleId: Int?
    var absenceEntitlements: [Entitlement] = []
    var fixSalary: Double?
    var fixSalaryInterval: String?
    var hourlySalary: Double?
    var vacationDayBalance: Double?
    var hasProfilePicture: Bool = false
    /// Custom attribute values by key (`dynamic_<id>`).
    var custom: [String: CustomValue] = [:]
    /// When an attribute last changed; attributes never changed since creation are absent.
    var modifiedAt: [String: Date] = [:]

    struct CostCenterShare: Codable, Sendable, Equatable {
        var costCenterId: Int
        var percentage: Double
    }

    struct Entitlement: Codable, Sendable, Equatable {
        var timeOffTypeId: Int
        var entitlement: Double
    }

    /// The `modifiedAt` entry holding the last change time from before the first recorded change.
    static let baselineKey = "_baseline"

    /// When `key` last changed: its own change time, or the creation time.
    func changeTime(of key: String) -> Date {
        modifiedAt[key] ?? createdAt
    }
}

/// A custom attribute's value.
enum CustomValue: Codable, Sendable, Equatable {
    case text(String)
    case number(Double)
    case date(LocalDate)
}

/// The fixed statuses Personio uses.
enum EmployeeStatus: String, CaseIterable, Sendable {
    case active, onboarding, leave, inactive
}
