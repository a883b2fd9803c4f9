import Fluent
import Foundation
import PersonioAPI

/// `absence-push`'s kinds: the app's own words for absences (sickness, vacation, …), mapped per
/// source to Personio's time-off types, each checked against Personio's list (API and dashboard).
struct AbsenceKindService: Sendable {
    let database: any Database
    let now: @Sendable () -> Date
    /// A Personio client for a source's credentials.
    let personio: @Sendable (SourceModel) async throws -> PersonioClient

    init(environment: HubEnvironment, database: any Database) {
        self.database = database
        now = environment.now
        personio = { try await environment.personioClient(for: $0) }
    }

    /// Personio's time-off types for the source's credential.
    func personioTypes(_ source: SourceModel) async throws -> [TimeOffType] {
        do {
            return try await personio(source).timeOffTypes()
        } catch let error as PersonioError {
            throw ServiceError.personio(error)
        } catch {
            throw ServiceError.conflict("source_unreadable", "\(ErrorText.explain(error)) Save the source's credentials again.")
        }
    }

    /// The source's mapping, by kind.
    func kinds(of source: SourceModel) async throws -> [AbsenceKindModel] {
        try await AbsenceKindModel.query(on: database).filter(\.$sourceID == source.requireID()).sort(\.$kind).all()
    }

    /// Replaces the source's mapping; every type id is checked against Personio's list.
    func setKinds(_ kinds: [String: Int], source: SourceModel, workspaceID: UUID, actor: String) async throws {
        guard kinds.count <= 100 else { throw ServiceError.invalid("kinds", "at most 100 kinds") }
        let types = Dictionary(try await personioTypes(source).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (kind, id) in kinds.sorted(by: { $0.key < $1.key }) {
            guard Self.isKind(kind) else {
                throw ServiceError.invalid("kinds.\(kind)", "a kind is 1–64 letters, digits, '_' or '-', e.g. sickness or parental_leave")
            }
            guard types[id] != nil else {
                throw ServiceError.invalid("kinds.\(kind)", "Personio has no time-off type \(id); GET /api/v1/sources/{id}/time-off-types lists them")
            }
        }
        let sourceID = try source.requireID()
        let now = self.now()
        try await database.transaction { database in
            try await AbsenceKindModel.query(on: database).filter(\.$sourceID == sourceID).delete()
            for (kind, id) in kinds {
                guard let type = types[id] else { continue }
                try await AbsenceKindModel(workspaceID: workspaceID, sourceID: sourceID, kind: kind, timeOffTypeID: id,
                                           typeName: type.name, unit: type.unit.rawValue).create(on: database)
            }
            try await AuditLog(database: database).record(.absenceKindsSet, workspaceID: workspaceID, actor: actor, subject: "source \(sourceID)",
                                      detail: kinds.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", "),
                                      at: now)
        }
    }

    static func isKind(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
    }
}
