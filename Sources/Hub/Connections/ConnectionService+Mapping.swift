import Fluent
import Foundation
import PersonioAPI
import Provisioning
import SyncEngine

/// A connection's mapping: checked against what the source's credential can read (labels turned
/// into keys), fields a preset takes from custom attributes found by their label, and a preview of
/// the result for a real person before saving.
extension ConnectionService {
    /// What a mapping gives for one person, next to what the stored mapping gives.
    struct MappingPreview: Codable, Sendable {
        var personioID: Int
        var name: String
        var fields: [String: String]
        var current: [String: String]
        /// Fields the connection's target does not take (a SCIM app has no place for them).
        var notSent: [String]
    }

    /// The Personio client of the connection's source, and its workspace's time zone.
    func personio(for connection: ConnectionModel) async throws -> (PersonioClient, TimeZone) {
        guard let source = try await SourceModel.query(on: database).filter(\.$id == connection.$source.id).with(\.$workspace).first() else {
            throw ServiceError.notFound("source")
        }
        return (try await environment.personioClient(for: source), TimeZone(identifier: source.workspace.timeZone) ?? .current)
    }

    /// The attributes the connection's source may read, asked live.
    func readableAttributes(ofSource sourceID: UUID) async throws -> [PersonioAttribute] {
        guard let source = try await SourceModel.find(sourceID, on: database) else { throw ServiceError.notFound("source") }
        let client = try await environment.personioClient(for: source)
        do { return try await client.attributes() } catch {
            throw ServiceError.personio(error, "Personio's list of readable attributes could not be read.")
        }
    }

    /// What the credential reads, asked live only when `named` holds an attribute not in `kept` (a label,
    /// or one the connection does not read yet); otherwise nothing needs checking.
    func readableAttributes(for named: [String], kept: Set<String>, of connection: ConnectionModel) async throws -> [PersonioAttribute] {
        guard named.contains(where: { !kept.contains(Employee.sourceAttribute(of: $0)) }) else { return [] }
        return try await readableAttributes(ofSource: connection.$source.id)
    }

    /// A mapping as sent, checked: every attribute known or found by its label and readable (or
    /// already mapped), every field one the target takes.
    func checkedMapping(_ json: JSONValue, for connection: ConnectionModel, current: Mapping) async throws -> Mapping {
        let parsed = try MappingInput.parse(json)
        let kept = Set(current.fields.flatMap(\.source.attributes).map(Employee.sourceAttribute(of:)))
        let readable = try await readableAttributes(for: parsed.fields.flatMap(\.source.attributes), kept: kept, of: connection)
        let mapping = try MappingInput.resolve(parsed, readable: readable, kept: kept)
        if let settings = try connection.scimSettings() {
            let taken = Set(SCIMTarget.mappableFields + [settings.userNameField])
            let before = Set(current.fields.map(\.target))
            for (index, field) in mapping.fields.enumerated() where !taken.contains(field.target) && !before.contains(field.target) {
                throw ServiceError.invalid("mapping[\(index)].field", "a SCIM app has no place for \(field.target); a SCIM connection sends "
                                           + taken.sorted().joined(separator: ", "))
            }
        }
        return mapping
    }

    /// The preset's fields from custom attributes (phone, contract type) the credential reads under a
    /// label like theirs, and a note for each: mapped from which attribute, or not found.
    func labelledFields(of preset: Preset, sourceID: UUID) async -> (fields: [FieldMapping], notes: [String]) {
        guard !preset.labelledFields.isEmpty else { return ([], []) }
        let readable: [PersonioAttribute]
        do { readable = try await readableAttributes(ofSource: sourceID) } catch {
            let names = preset.labelledFields.map(\.meaning).joined(separator: " and ")
            return ([], ["Personio's attributes could not be read, so \(names) are not mapped; add them in the mapping editor."])
        }
        var fields: [FieldMapping] = []
        var notes: [String] = []
        for wanted in preset.labelledFields {
            let folded = readable.map { ($0, $0.label.lowercased()) }
            let match = folded.first { wanted.labels.contains($0.1) }?.0 ?? folded.first { attribute in
                wanted.labels.contains { attribute.1.contains($0) }
            }?.0
            if let match {
                fields.append(FieldMapping(wanted.target, from: match.key, .trim))
                notes.append("\(wanted.target) is mapped from ‘\(match.label)’ (\(match.key)).")
            } else {
                notes.append("No attribute this credential reads is labelled like a \(wanted.meaning), so \(wanted.target) is not sent. "
                             + "Tick it in Personio (Settings › Integrations › API credentials › Readable employee attributes), then "
                             + "map it in the connection's mapping.")
            }
        }
        return (fields, notes)
    }

    /// What `json` (or the stored mapping) gives for one person: `personioID`, or the connection's
    /// first linked person, or the first person Personio lists.
    func previewMapping(_ connection: ConnectionModel, json: JSONValue?, personioID: Int?) async throws -> MappingPreview {
        if let personioID, !(1...999_999_999_999).contains(personioID) {
            throw ServiceError.invalid("personio_id", "personio_id is a Personio employee id, a positive number")
        }
        let rules = try connection.connectionRules()
        var mapping = rules.mapping
        if let json { mapping = try await checkedMapping(json, for: connection, current: rules.mapping) }
        let (client, timeZone) = try await personio(for: connection)
        var id = personioID
        if id == nil {
            id = try await LinkModel.query(on: database).filter(\.$connection.$id == connection.requireID()).sort(\.$personioID).first()?.personioID
        }
        let employee: Employee
        do {
            if let id {
                employee = try await client.employee(id: id).0
            } else {
                var pages = client.employees().makeAsyncIterator()
                guard let first = try await pages.next()?.employees.first else {
                    throw ServiceError.invalid("personio_id", "Personio lists nobody for this credential, so there is nobody to preview")
                }
                employee = first
            }
        } catch let error as ServiceError {
            throw error
        } catch PersonioError.notFound {
            throw ServiceError.invalid("personio_id", "Personio has no employee \(id ?? 0) for this credential")
        } catch {
            throw ServiceError.personio(error, "The person to preview could not be read.")
        }
        let taken = try connection.scimSettings().map { (settings: SCIMTargetSettings) in Set(SCIMTarget.mappableFields + [settings.userNameField]) }
        return MappingPreview(personioID: employee.id, name: [employee.firstName, employee.lastName].compactMap { $0 }.joined(separator: " "),
                              fields: mapping.apply(to: employee, timeZone: timeZone),
                              current: rules.mapping.apply(to: employee, timeZone: timeZone),
                              notSent: taken.map { taken in mapping.fields.map(\.target).filter { !taken.contains($0) }.sorted() } ?? [])
    }
}
