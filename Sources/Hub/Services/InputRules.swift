import Foundation
import SyncEngine

/// The checks more than one service makes on what people type: an http(s) address, a calendar date.
/// Each throws the field's 422 with the message its caller gives.
enum InputRules {
    /// An http(s) address with a host, trimmed; `message` says what the field is for.
    static func httpAddress(_ text: String?, field: String, message: String) throws(ServiceError) -> (text: String, url: URL) {
        guard let text = text?.trimmingCharacters(in: .whitespaces), let url = URL(string: text),
              ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw .invalid(field, message)
        }
        return (text, url)
    }

    /// A date written as YYYY-MM-DD (with `withTime`, also the date of a YYYY-MM-DDTHH:MM:SS… timestamp).
    static func date(_ text: String?, field: String, message: String, withTime: Bool = false) throws(ServiceError) -> LocalDate {
        guard let text, withTime || text.count == 10, let date = LocalDate(text) else { throw .invalid(field, message) }
        return date
    }
}
