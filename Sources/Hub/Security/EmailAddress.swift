import Foundation

/// The e-mail check every form and API field uses: one @, a dot inside the domain, no spaces.
enum EmailAddress {
    /// The address trimmed and lower-cased, or nil when it is not one.
    static func normalised(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return isValid(email) && email.count <= 254 ? email : nil
    }

    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.contains(where: \.isWhitespace)
    }
}
