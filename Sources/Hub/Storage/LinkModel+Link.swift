import Foundation
import SyncEngine

extension LinkModel {
    /// The engine's view of this row.
    var link: Link {
        get throws {
            // An empty fingerprint: never confirmed by the target (its first send failed), so it matches nothing.
            guard let fingerprint = fingerprint.isEmpty ? Fingerprint(0) : Fingerprint(hex: fingerprint) else {
                throw StorageError.corrupt("link \(personioID) has a bad fingerprint")
            }
            var stored = try fields.map(StoredJSON.fields)
            // Fields set at import are not Personio's: the engine compares only what Personio says.
            if let importFields, stored != nil {
                for key in try StoredJSON.fields(importFields).keys { stored?[key] = nil }
            }
            return Link(personioID: personioID, targetID: targetID, state: state, fingerprint: fingerprint,
                        fields: stored, hasBeenActive: hasBeenActive)
        }
    }
}

extension LinkModel {
    /// A link for someone the target has not confirmed yet (no target id, no fingerprint).
    static func unsent(connectionID: UUID, personioID: Int, state: LinkState) -> LinkModel {
        LinkModel(connectionID: connectionID, personioID: personioID, targetID: nil, state: state, fingerprint: "",
                  fields: nil, displayName: nil, hasBeenActive: false)
    }

    /// Records what the target holds after `operation` was applied: its state, id and fingerprint (of
    /// Personio's fields), the stored fields (nil where the target keeps none), and no error.
    func confirm(_ operation: SyncEngine.Operation, state: LinkState, targetID: String?, storedFields: String?) {
        self.state = state
        self.targetID = targetID
        fingerprint = Fingerprint.of(state == .deleted ? [:] : operation.fields).description
        fields = storedFields
        displayName = [operation.fields["first_name"], operation.fields["last_name"]].compactMap { $0 }.joined(separator: " ")
        hasBeenActive = hasBeenActive || state == .active
        lastError = nil
        lastErrorCode = nil
        failures = 0
        retryAfter = nil
    }
}

/// A stored value the hub cannot read: never expected, always reported with what it is.
enum StorageError: Error, CustomStringConvertible {
    case corrupt(String)

    var description: String {
        switch self {
        case .corrupt(let what): "stored data cannot be read: \(what)"
        }
    }
}

/// JSON columns: mapped fields and connection rules.
enum StoredJSON {
    static func fields(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    static func text<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
