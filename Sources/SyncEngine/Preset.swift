/// A connection template that encodes one requirement document (see `../shared/seeds/`): the
/// policy, the mapping, the attributes the credential must expose and the default schedule.
/// Presets are data; a connection copies one and may override any field.
public struct Preset: Sendable, Hashable, Codable, Identifiable {
    public enum Direction: String, Sendable, Hashable, Codable {
        /// Personio → app (the engine plans it).
        case fromPersonio
        /// App → Personio (hand-offs, absences).
        case toPersonio
    }

    public var id: String
    public var title: String
    /// The requirement document it comes from.
    public var seed: String
    public var direction: Direction
    public var policy: Policy
    public var mapping: Mapping
    /// Attributes the API credential must be able to read: the ones the policy requires a value for.
    public var requiredAttributes: [String] { policy.requiredAttributes }
    /// Attributes used when readable.
    public var optionalAttributes: [String]
    /// Seconds between incremental syncs, and between full reconciles.
    public var incrementalInterval: Int
    public var fullInterval: Int
    /// Fields a connection maps from a custom attribute when the credential reads one labelled like
    /// this (in Personio, phone and contract type are usually custom `dynamic_…` attributes).
    public var labelledFields: [LabelledField] = []

    public struct LabelledField: Sendable, Hashable, Codable {
        public var target: String
        /// Lower-case words a matching label equals or contains, e.g. `phone`, `telefon`.
        public var labels: [String]
        /// What the field is, for messages ("phone number").
        public var meaning: String
    }

    /// Every preset, by id.
    public static let all: [Preset] = [.timeTracking, .eorOnboarding, .survey, .serviceDesk, .atsHandoff]

    public static func named(_ id: String) -> Preset? { all.first { $0.id == id } }

    /// The rules a connection made from this preset starts with.
    public func rules(scope: Scope = .everyone, storesFields: Bool = true) -> ConnectionRules {
        ConnectionRules(policy: policy, mapping: mapping, scope: scope, storesFields: storesFields)
    }

    private static let twelveHours = 12 * 3600

    /// Name and e-mail, trimmed, the e-mail lower-cased: every Personio → app preset starts with these.
    private static let identity = [
        FieldMapping("first_name", from: "first_name", .trim),
        FieldMapping("last_name", from: "last_name", .trim),
        FieldMapping("email", from: "email", .trim, .lowercase),
    ]

    /// Clockodo (seed 000): a future hire is sent as archived once the start date is at most a week
    /// away and not before; on the start date they become active; name and e-mail changes follow;
    /// a deactivated or terminated person is archived, which frees their licence.
    public static let timeTracking = Preset(
        id: "time-tracking", title: "Time tracking", seed: "000 Clockodo", direction: .fromPersonio,
        policy: Policy(preHire: .archivedWithin(days: 7), onLeave: .keep, onLeaver: .archive, onVanished: .archive,
                       requiredAttributes: ["first_name", "last_name", "email"]),
        mapping: Mapping(identity + [
            FieldMapping("department", from: "department"),
            FieldMapping("position", from: "position"),
        ]),
        optionalAttributes: ["department", "position", "hire_date", "termination_date", "status"],
        incrementalInterval: 60, fullInterval: twelveHours)

    /// WorkMotion (seed 001): people arrive as drafts marked as coming from Personio, an HR admin
    /// approves them, and approval provisions them — also before their start date, since onboarding
    /// happens before it. The country per import is an extra field the hub adds at import.
    public static let eorOnboarding = Preset(
        id: "eor-onboarding", title: "Employer-of-record onboarding", seed: "001 WorkMotion", direction: .fromPersonio,
        policy: Policy(preHire: .active, onLeave: .keep, onLeaver: .archive, onVanished: .archive, requiresApproval: true,
                       requiredAttributes: ["first_name", "last_name", "email"]),
        mapping: Mapping(identity + [
            FieldMapping("job_title", from: "position"),
            FieldMapping("employment_type", from: "employment_type"),
            FieldMapping("contract_start", from: "hire_date"),
            FieldMapping("contract_end", from: "contract_end_date"),
            FieldMapping("source", .constant("personio")),
        ]),
        optionalAttributes: ["position", "employment_type", "hire_date", "contract_end_date"],
        incrementalInterval: 60, fullInterval: twelveHours,
        labelledFields: [
            LabelledField(target: "phone", labels: ["phone", "telefon", "mobile", "mobil", "handy"], meaning: "phone number (Telefon)"),
            LabelledField(target: "contract_type", labels: ["contract type", "vertragsart", "type of contract", "vertragstyp"],
                          meaning: "contract type (Vertragsart)"),
        ])

    /// Honestly (seed 002): people who have not started are not sent; department and position
    /// changes follow; anyone no longer returned as working — on leave or gone — is deleted in the
    /// app (which keeps its own data about them). Syncs every 12 hours.
    public static let survey = Preset(
        id: "survey", title: "Employee surveys", seed: "002 Honestly", direction: .fromPersonio,
        policy: Policy(preHire: .skip, onLeave: .delete, onLeaver: .delete, onVanished: .delete,
                       requiredAttributes: ["first_name", "last_name", "email", "department"]),
        mapping: Mapping(identity + [
            FieldMapping("department", from: "department"),
            FieldMapping("hire_date", from: "hire_date"),
            FieldMapping("termination_date", from: "termination_date"),
            FieldMapping("status", from: "status"),
            FieldMapping("gender", from: "gender"),
            FieldMapping("position", from: "position"),
            FieldMapping("supervisor_email", from: "supervisor.email"),
        ]),
        optionalAttributes: ["hire_date", "termination_date", "status", "gender", "position", "supervisor"],
        incrementalInterval: twelveHours, fullInterval: twelveHours)

    /// Back (seed 003): the service desk's employee directory with the attributes its article lists;
    /// the admin removes from the mapping what should not flow.
    public static let serviceDesk = Preset(
        id: "service-desk", title: "Service desk", seed: "003 Back", direction: .fromPersonio,
        policy: Policy(preHire: .active, onLeave: .keep, onLeaver: .archive, onVanished: .archive,
                       requiredAttributes: ["first_name", "last_name", "email"]),
        mapping: Mapping(identity + [
            FieldMapping("status", from: "status"),
            FieldMapping("gender", from: "gender"),
            FieldMapping("position", from: "position"),
            FieldMapping("department", from: "department"),
            FieldMapping("office", from: "office"),
            FieldMapping("supervisor_email", from: "supervisor.email"),
            FieldMapping("hire_date", from: "hire_date"),
            FieldMapping("vacation_days", from: "vacation_day_balance"),
            FieldMapping("last_modified_at", from: "last_modified_at"),
            FieldMapping("created_at", from: "created_at"),
        ]),
        optionalAttributes: ["status", "gender", "position", "department", "office", "supervisor", "hire_date",
                             "vacation_day_balance", "last_modified_at", "created_at"],
        incrementalInterval: 60, fullInterval: twelveHours)

    /// Recruitee (seed 004): a hire goes to Personio once; these are the fields it sends. The
    /// engine does not plan this flow (see the hand-off in the hub).
    public static let atsHandoff = Preset(
        id: "ats-handoff", title: "Recruiting hand-off", seed: "004 Recruitee", direction: .toPersonio,
        policy: Policy(),
        mapping: Mapping([
            FieldMapping("first_name", from: "first_name"),
            FieldMapping("last_name", from: "last_name"),
            FieldMapping("email", from: "email"),
            FieldMapping("position", from: "position"),
        ]),
        optionalAttributes: [],
        incrementalInterval: 0, fullInterval: 0)
}
