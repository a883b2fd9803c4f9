import Foundation
import PersonioAPI
import SyncEngine

/// Generates a realistic company from a seed: names in several scripts, unique e-mails, an org
/// structure, a supervisor tree, every lifecycle situation the sync rules care about (future
/// hires, leave, leavers, fixed-term contracts) and some time-offs.
struct CompanyGenerator {
    var employeeCount: Int
    var seed: UInt64
    /// "Today" in the company's time zone; hire and termination dates are placed around it.
    var today: LocalDate
    var now: Date
    var emailDomain = "acme-gmbh.example"

    func generate() -> Company {
        var random = SeededRandom(seed: seed)
        var company = Company()
        Self.addCatalog(to: &company)

        var emailCounters: [String: Int] = [:]
        let managerPool = max(1, employeeCount / 8)
        var ids: [Int] = []
        ids.reserveCapacity(employeeCount)

        for index in 0..<employeeCount {
            let first = random.pick(Self.firstNames)
            let last = random.pick(Self.lastNames)
            let name = Name(first: first.0, last: last.0, asciiFirst: first.1, asciiLast: last.1, gender: first.2)
            let supervisorId = index == 0 ? nil : ids[Int.random(in: 0..<min(index, managerPool), using: &random)]
            let email = uniqueEmail(first: name.asciiFirst, last: name.asciiLast, counters: &emailCounters)
            let employee = makeEmployee(id: company.nextEmployeeId, name: name, email: email, supervisorId: supervisorId,
                                        index: index, company: company, random: &random)
            company.add { _ in employee }
            ids.append(employee.id)
        }
        addTimeOffs(to: &company, random: &random)
        return company
    }

    private func makeEmployee(
        id: Int, name: Name, email: String, supervisorId: Int?, index: Int,
        company: Company, random: inout SeededRandom
    ) -> SandboxEmployee {
        let roll = Double.random(in: 0..<1, using: &random)
        var status = EmployeeStatus.active
        var hireDate = today.adding(days: -Int.random(in: 30...3650, using: &random))
        var terminationDate: LocalDate?
        var lastWorkingDay: LocalDate?
        var terminationType: String?
        var terminationReason: String?
        switch roll {
        case ..<0.05:
            status = .onboarding
            hireDate = today.adding(days: Int.random(in: 1...60, using: &random))
        case ..<0.09:
            status = .leave
        case ..<0.17:
            status = .inactive
            let end = today.adding(days: -Int.random(in: 1...400, using: &random))
            terminationDate = end
            lastWorkingDay = end
            if hireDate >= end { hireDate = end.adding(days: -Int.random(in: 30...900, using: &random)) }
            terminationType = random.pick(["Resignation", "Termination by employer", "Mutual agreement"])
            terminationReason = random.pick(["New job", "Relocation", "Restructuring", "Other"])
        case ..<0.20:
            let end = today.adding(days: Int.random(in: 1...90, using: &random))
            terminationDate = end
            lastWorkingDay = end
            terminationType = "Resignation"
            terminationReason = "New job"
        default:
            break
        }
        if index == 0 { status = .active; hireDate = today.adding(days: -3650); terminationDate = nil; lastWorkingDay = nil }

        let department = random.pick(company.departments)
        let createdAt = Self.instant(hireDate.adding(days: -Int.random(in: 14...90, using: &random)),
                                     secondsIntoDay: Int.random(in: 28_800...64_800, using: &random))
        let cappedCreatedAt = min(createdAt, now.addingTimeInterval(-3600))
        let modifiedAt = min(now.addingTimeInterval(-60),
                             cappedCreatedAt.addingTimeInterval(Double(Int.random(in: 0...(86_400 * 200), using: &random))))
        let isInternal = random.chance(0.9)
        let hours = random.pick(["40", "40", "40", "38.5", "32", "30", "20"])
        var custom: [String: CustomValue] = [
            "dynamic_1001": .text("+49 \(Int.random(in: 150...179, using: &random)) \(Int.random(in: 1_000_000...9_999_999, using: &random))"),
            "dynamic_1002": .text(random.chance(0.85) ? "Permanent" : "Fixed-term"),
            "dynamic_1003": .text(random.pick(["DE", "DE", "DE", "AT", "CH", "ES", "PL"])),
            "dynamic_1004": .date(LocalDate(year: Int.random(in: 1960...2003, using: &random),
                                            month: Int.random(in: 1...12, using: &random),
                                            day: Int.random(in: 1...28, using: &random))!),
        ]
        if random.chance(0.5) {
            custom["dynamic_1005"] = .text(Array(Self.skills.shuffled(using: &random).prefix(Int.random(in: 1...3,
                                                                                                        using: &random))).joined(separator: ","))
        }
        if random.chance(0.1) {
            custom["dynamic_1006"] = .date(today.adding(days: Int.random(in: 30...900, using: &random)))
        }
        let fixedTerm = custom["dynamic_1002"] == .text("Fixed-term")
        return SandboxEmployee(
            id: id,
            firstName: name.first,
            lastName: name.last,
            preferredName: random.chance(0.1) ? name.first : nil,
            email: email,
            gender: name.gender,
            status: status.rawValue,
            position: random.pick(Self.positions[department.name] ?? ["Specialist"]),
            supervisorId: supervisorId,
            employmentType: isInternal ? "internal" : "external",
            weeklyWorkingHours: hours,
            hireDate: hireDate,
            contractEndDate: fixedTerm ? hireDate.adding(days: 365 * Int.random(in: 1...2, using: &random)) : nil,
            terminationDate: terminationDate,
            terminationType: terminationType,
            terminationReason: terminationReason,
            probationPeriodEnd: hireDate.adding(days: 182),
            lastWorkingDay: lastWorkingDay,
            createdAt: cappedCreatedAt,
            lastModifiedAt: modifiedAt,
            subcompanyId: random.pick(company.subcompanies).id,
            officeId: random.pick(company.offices).id,
            departmentId: department.id,
            teamId: random.chance(0.7) ? random.pick(company.teams).id : nil,
            costCenters: random.chance(0.8)
                ? [.init(costCenterId: random.pick(company.costCenters).id, percentage: 100)]
                : [.init(costCenterId: company.costCenters[0].id, percentage: 50),
                   .init(costCenterId: company.costCenters[1].id, percentage: 50)],
            holidayCalendarId: random.pick(company.holidayCalendars).id,
            workScheduleId: hours == "40" ? company.workSchedules[0].id : company.workSchedules[1].id,
            absenceEntitlements: [
                .init(timeOffTypeId: 1, entitlement: Double(random.pick([25, 28, 30, 30, 30]))),
                .init(timeOffTypeId: 4, entitlement: 0),
            ],
            fixSalary: isInternal ? Double(Int.random(in: 35...140, using: &random) * 1000 / 12) : nil,
            fixSalaryInterval: isInternal ? "monthly" : nil,
            hourlySalary: isInternal ? nil : Double(Int.random(in: 40...120, using: &random)),
            vacationDayBalance: Double(Int.random(in: 0...60, using: &random)) / 2,
            hasProfilePicture: random.chance(0.6),
            custom: custom
        )
    }

    /// `first.last@domain`, then `first.last2@domain`, … — unique because every base has its own counter.
    private func uniqueEmail(first: String, last: String, counters: inout [String: Int]) -> String {
        let base = "\(first).\(last)"
        let seen = counters[base, default: 0]
        counters[base] = seen + 1
        return seen == 0 ? "\(base)@\(emailDomain)" : "\(base)\(seen + 1)@\(emailDomain)"
    }

    private func addTimeOffs(to company: inout Company, random: inout SeededRandom) {
        let dayTypes = company.timeOffTypes.filter { $0.unit == .day }
        for employee in company.employees where employee.status != "inactive" && random.chance(0.1) {
            let type = random.pick(dayTypes)
            let start = today.adding(days: Int.random(in: -60...60, using: &random))
            let length = type.category == "sick_leave" ? Int.random(in: 0...4, using: &random) : Int.random(in: 0...9, using: &random)
            _ = company.addTimeOff { id in
                TimeOff(id: id, employeeId: employee.id, timeOffTypeId: type.id, startDate: start,
                        endDate: start.adding(days: length), halfDayStart: false, halfDayEnd: false,
                        comment: "", status: "approved", createdAt: now.addingTimeInterval(-86_400 * 70),
                        updatedAt: now.addingTimeInterval(-86_400 * 70), createdBy: "API")
            }
        }
    }

    static func instant(_ date: LocalDate, secondsIntoDay: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(date.daysSinceEpoch * 86_400 + secondsIntoDay))
    }

    /// Departments, offices, time-off types and custom attributes every generated company shares.
    static func addCatalog(to company: inout Company) {
        company.departments = departmentNames.enumerated().map { OrgUnit(id: OrgUnitKind.department.firstId + $0, name: $1) }
        company.offices = ["München", "Berlin", "Hamburg", "Wien", "Zürich", "Madrid", "Remote"]
            .enumerated().map { OrgUnit(id: OrgUnitKind.office.firstId + $0, name: $1) }
        company.subcompanies = ["Acme GmbH", "Acme Austria GmbH", "Acme Schweiz AG"]
            .enumerated().map { OrgUnit(id: OrgUnitKind.subcompany.firstId + $0, name: $1) }
        company.teams = ["Platform", "Mobile", "Growth", "Enterprise", "Payroll", "Recruiting"]
            .enumerated().map { OrgUnit(id: OrgUnitKind.team.firstId + $0, name: $1) }
        company.costCenters = [CostCenter(id: 1, name: "CC-1000 Headquarters"), CostCenter(id: 2, name: "CC-2000 Product"),
                               CostCenter(id: 3, name: "CC-3000 Go-to-market")]
        company.holidayCalendars = [HolidayCalendar(id: 1, name: "DE (Bayern) Feiertage", country: "DE", state: "Bayern"),
                                    HolidayCalendar(id: 2, name: "DE (Berlin) Feiertage", country: "DE", state: "Berlin"),
                                    HolidayCalendar(id: 3, name: "AT Feiertage", country: "AT", state: nil)]
        company.workSchedules = [
            WorkSchedule(id: 1, name: "Full time 40h", days: ["08:00", "08:00", "08:00", "08:00", "08:00", "00:00", "00:00"]),
            WorkSchedule(id: 2, name: "Part time", days: ["06:00", "06:00", "06:00", "06:00", "00:00", "00:00", "00:00"]),
        ]
        company.customAttributes = [
            CustomAttribute(id: 1001, label: "Phone", type: .standard, universalId: "phone"),
            CustomAttribute(id: 1002, label: "Contract type", type: .list, universalId: nil, options: ["Permanent", "Fixed-term"]),
            CustomAttribute(id: 1003, label: "Country of employment", type: .list, universalId: nil,
                            options: ["DE", "AT", "CH", "ES", "PL"]),
            CustomAttribute(id: 1004, label: "Date of birth", type: .date, universalId: "date_of_birth"),
            CustomAttribute(id: 1005, label: "Skills", type: .tags, universalId: nil, options: skills),
            CustomAttribute(id: 1006, label: "Work permit valid until", type: .date, universalId: nil, legacyDateFormat: true),
        ]
        company.timeOffTypes = [
            TimeOffType(id: 1, name: "Paid vacation", category: "paid_vacation", unit: .day, approvalRequired: true),
            TimeOffType(id: 2, name: "Sick leave", category: "sick_leave", unit: .day, approvalRequired: false),
            TimeOffType(id: 3, name: "Parental leave", category: "maternity_parental_leave", unit: .day, approvalRequired: true),
            TimeOffType(id: 4, name: "Unpaid leave", category: "unpaid_vacation", unit: .day, approvalRequired: true),
            TimeOffType(id: 5, name: "Doctor's appointment", category: "other", unit: .hour, approvalRequired: false),
        ]
    }

    struct Name {
        var first: String
        var last: String
        var asciiFirst: String
        var asciiLast: String
        var gender: String
    }

    static let departmentNames = ["Engineering", "Sales", "Marketing", "People", "Finance", "Customer Success",
                                  "Operations", "Product", "Legal"]

    static let positions: [String: [String]] = [
        "Engineering": ["Software Engineer", "Senior Software Engineer", "Engineering Manager", "QA Engineer", "Site Reliability Engineer"],
        "Sales": ["Account Executive", "Sales Development Representative", "Head of Sales"],
        "Marketing": ["Online Marketing Specialist", "Content Manager", "Brand Designer"],
        "People": ["HR Generalist", "Recruiter", "People Partner", "Payroll Specialist"],
        "Finance": ["Accountant", "Controller", "CFO"],
        "Customer Success": ["Customer Success Manager", "Support Specialist", "Implementation Consultant"],
        "Operations": ["Office Manager", "IT Administrator", "Operations Analyst"],
        "Product": ["Product Manager", "Product Designer", "UX Researcher"],
        "Legal": ["Legal Counsel", "Data Protection Officer"],
    ]

    static let skills = ["Swift", "Negotiation", "Excel", "German", "English", "Spanish", "SQL", "Leadership"]

    /// (name, ASCII form for e-mails, gender) across German, Turkish, Polish, Spanish, Greek,
    /// Cyrillic, Chinese and Japanese names.
    static let firstNames: [(String, String, String)] = [
        ("Jürgen", "juergen", "male"), ("Anna", "anna", "female"), ("Lena", "lena", "female"), ("Björn", "bjoern", "male"),
        ("Sophie", "sophie", "female"), ("Maximilian", "maximilian", "male"), ("Lea", "lea", "female"),
        ("Lukas", "lukas", "male"), ("Marie", "marie", "female"), ("Felix", "felix", "male"), ("Hannah", "hannah", "female"),
        ("Jonas", "jonas", "male"), ("Emilia", "emilia", "female"), ("Paul", "paul", "male"), ("Mia", "mia", "female"),
        ("Leon", "leon", "male"), ("Zoë", "zoe", "female"), ("Elias", "elias", "male"), ("Clara", "clara", "female"),
        ("Noah", "noah", "male"), ("Mehmet", "mehmet", "male"), ("Ayşe", "ayse", "female"), ("Emre", "emre", "male"),
        ("Zeynep", "zeynep", "female"), ("Łukasz", "lukasz", "male"), ("Agnieszka", "agnieszka", "female"),
        ("José", "jose", "male"), ("Lucía", "lucia", "female"), ("Νίκος", "nikos", "male"), ("Ελένη", "eleni", "female"),
        ("Иван", "ivan", "male"), ("Ольга", "olga", "female"), ("伟", "wei", "male"), ("芳", "fang", "female"),
        ("さくら", "sakura", "female"), ("Haruto", "haruto", "male"), ("Chiara", "chiara", "female"),
        ("François", "francois", "male"), ("Søren", "soeren", "male"), ("Alex", "alex", "diverse"),
    ]

    static let lastNames: [(String, String)] = [
        ("Müller", "mueller"), ("Schmidt", "schmidt"), ("Weiß", "weiss"), ("Schröder", "schroeder"), ("Fischer", "fischer"),
        ("Weber", "weber"), ("Meyer", "meyer"), ("Wagner", "wagner"), ("Becker", "becker"), ("Schulz", "schulz"),
        ("Hoffmann", "hoffmann"), ("Schäfer", "schaefer"), ("Koch", "koch"), ("Bauer", "bauer"), ("Richter", "richter"),
        ("Klein", "klein"), ("Wolf", "wolf"), ("Neumann", "neumann"), ("Schwarz", "schwarz"), ("Zimmermann", "zimmermann"),
        ("Yılmaz", "yilmaz"), ("Öztürk", "oeztuerk"), ("Çelik", "celik"), ("Kaya", "kaya"), ("Wiśniewski", "wisniewski"),
        ("Kowalczyk", "kowalczyk"), ("García", "garcia"), ("Martínez", "martinez"), ("Παπαδόπουλος", "papadopoulos"),
        ("Γεωργίου", "georgiou"), ("Петров", "petrov"), ("Смирнова", "smirnova"), ("王", "wang"), ("李", "li"),
        ("佐藤", "sato"), ("Tanaka", "tanaka"), ("Rossi", "rossi"), ("Lefèvre", "lefevre"), ("Jørgensen", "joergensen"),
        ("Kim", "kim"),
    ]
}
