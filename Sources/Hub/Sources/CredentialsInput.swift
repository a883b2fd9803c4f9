import Foundation

/// Personio API credentials as an admin gives them: pasted, or the text of the file Personio lets
/// you download. Every problem names the field.
struct CredentialsInput {
    var clientID: String
    var clientSecret: String

    /// Reads `client_id`/`client_secret` from a JSON object, `key=value` or `key: value` lines, or a
    /// two-line CSV with a header.
    static func parse(file text: String) throws(ServiceError) -> CredentialsInput {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("credentials_file", "the credentials file is empty") }
        var values: [String: String] = [:]
        if trimmed.hasPrefix("{") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw .invalid("credentials_file", "the credentials file looks like JSON but cannot be read as a JSON object")
            }
            for (key, value) in object { if let text = value as? String { values[normalise(key)] = text } }
        } else {
            let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            if lines.count == 2, lines[0].contains(","), !lines[0].contains("=") {
                let header = lines[0].split(separator: ",").map { normalise(String($0)) }
                let row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map { unquote(String($0)) }
                for (key, value) in zip(header, row) { values[key] = value }
            } else {
                for line in lines where !line.hasPrefix("#") {
                    guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
                    values[normalise(String(line[..<separator]))] = unquote(String(line[line.index(after: separator)...]))
                }
            }
        }
        guard let id = values["clientid"], !id.isEmpty else {
            throw .invalid("credentials_file",
                           "the credentials file has no client_id (expected JSON, key=value lines or CSV with client_id and client_secret)")
        }
        guard let secret = values["clientsecret"], !secret.isEmpty else {
            throw .invalid("credentials_file", "the credentials file has no client_secret")
        }
        return CredentialsInput(clientID: id, clientSecret: secret)
    }

    private static func normalise(_ key: String) -> String {
        key.lowercased().filter { $0.isLetter }
    }

    private static func unquote(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
    }
}
