import Foundation
import Logging

/// The hub's log lines: one JSON object per line (`ROLLCALL_LOG_FORMAT=json`, for log collectors)
/// or `key=value` text. Either way secrets are redacted before anything is written: metadata under a
/// secret-sounding key, bearer tokens, and Rollcall API tokens inside any message or value.
public struct HubLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: Format
    let write: @Sendable (String) -> Void

    public init(label: String, format: Format, level: Logger.Level, write: @escaping @Sendable (String) -> Void = HubLogHandler.standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.map { key, value in (key, Self.redact(key: key, "\(value)")) }.sorted { $0.0 < $1.0 }
        let message = Self.redact(Self.redactRequestPart(event.message.description))
        let time = Self.timestamp(Date())
        switch format {
        case .json:
            var line = "{\"time\":\(Self.quoted(time)),\"level\":\(Self.quoted(event.level.rawValue)),\"logger\":\(Self.quoted(label)),"
                + "\"message\":\(Self.quoted(message))"
            for (key, value) in fields where !["time", "level", "logger", "message"].contains(key) {
                line += ",\(Self.quoted(key)):\(Self.quoted(value))"
            }
            write(line + "}\n")
        case .text:
            let rest = fields.map { "\($0.0)=\($0.1.contains(" ") ? Self.quoted($0.1) : $0.1)" }.joined(separator: " ")
            write("\(time) \(event.level.rawValue) \(label): \(message)\(rest.isEmpty ? "" : " " + rest)\n")
        }
    }

    // MARK: Redaction

    static let secretKeyParts = ["secret", "password", "token", "authorization", "credential", "master_key", "api_key", "cookie"]

    static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyParts.contains { lowered.contains($0) }
    }

    /// What is replaced inside free text, compiled once: bearer tokens, Rollcall API tokens,
    /// `secret=…` / `"client_secret": "…"`, Personio tokens, session and CSRF values, bcrypt hashes
    /// and sealed secrets.
    static let secretPatterns: [(expression: NSRegularExpression, template: String)] = [
        (#"Bearer\s+[A-Za-z0-9._~+/=-]+"#, "Bearer <redacted>"),
        (#"\brc_[A-Za-z0-9_-]{8,}"#, "rc_<redacted>"),
        (#"(client_secret|secret)(["']?\s*[:=]\s*["']?)[^\s"',&}]+"#, "$1$2<redacted>"),
        (#"\bpapi-[A-Za-z0-9._~+/=-]+"#, "papi-<redacted>"),
        (#"\b(rollcall_session|rollcall_signin|csrf|password)=[^;&\s"]+"#, "$1=<redacted>"),
        (#"\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}"#, "<redacted bcrypt hash>"),
        (#"\bv1:[A-Za-z0-9+/]{16,}={0,2}"#, "v1:<redacted>"),
    ].compactMap { pattern, template in (try? NSRegularExpression(pattern: pattern)).map { ($0, template) } }

    static let secretTriggers = ["Bearer", "rc_", "secret", "papi-", "rollcall_", "csrf", "password", "$2", "v1:"]

    /// Replaces tokens, secrets, hashes and session values inside free text.
    static func redact(_ text: String) -> String {
        guard secretTriggers.contains(where: { text.contains($0) }) else { return text }
        var result = text
        for (expression, template) in secretPatterns {
            result = expression.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }

    /// A metadata value: secret-sounding keys are withheld whole; the values of database queries
    /// (Fluent's `input` and `filters`, SQLKit's `binds`) keep only what cannot be personal or
    /// secret — ids, numbers, times and lower-case names — since a row may hold a password hash.
    static func redact(key: String, _ value: String) -> String {
        if isSecretKey(key) { return "<redacted>" }
        if ["input", "binds", "filters"].contains(key) { return redactQueryValues(value) }
        return redact(value)
    }

    /// A quoted string in a query's description, with escapes.
    static let quotedString = try? NSRegularExpression(pattern: #""((?:[^"\\]|\\.)*)"(\s*:)?"#)
    /// What a query value may show: a UUID, a number, a date or time, Fluent's `<default>`, or a
    /// lower-case name without digits (a column, a state, a preset).
    static let harmlessValue = try? NSRegularExpression(
        pattern: #"^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|-?[0-9]+(?:\.[0-9]+)?|"#
            + #"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9:.]+(?: ?[+-][0-9]{4}|Z)?)?|<default>|[a-z_.-]{0,40}|[=<>!~]{1,2})$"#)

    static func redactQueryValues(_ text: String) -> String {
        guard let quotedString, let harmlessValue else { return "<not logged>" }
        let whole = text as NSString
        var result = ""
        var last = 0
        for match in quotedString.matches(in: text, range: NSRange(location: 0, length: whole.length)) {
            result += whole.substring(with: NSRange(location: last, length: match.range.location - last))
            let content = whole.substring(with: match.range(at: 1))
            let isKey = match.range(at: 2).location != NSNotFound
            let harmless = harmlessValue.firstMatch(in: content, range: NSRange(location: 0, length: (content as NSString).length)) != nil
            result += isKey || harmless ? whole.substring(with: match.range) : "\"<redacted>\""
            last = match.range.location + match.range.length
        }
        return result + whole.substring(from: last)
    }

    /// Request heads logged at `trace` by the HTTP server keep only allow-listed headers (no cookie,
    /// no authorization, no CSRF value at any level); bodies are not logged at all; an invitation
    /// link's token is withheld.
    static func redactRequestPart(_ message: String) -> String {
        guard message.hasPrefix("Decoded HTTP part: ") else { return message }
        if message.hasPrefix("Decoded HTTP part: body") { return "Decoded HTTP part: body (not logged)" }
        guard let headersStart = message.range(of: "headers: ") else { return message }
        var head = String(message[..<headersStart.upperBound])
        head = head.replacingOccurrences(of: #"/invite/[^"\s?]+"#, with: "/invite/<redacted>", options: .regularExpression)
        var headers = String(message[headersStart.upperBound...])
        let closing = headers.hasSuffix(" }") ? " }" : ""
        headers = String(headers.dropLast(closing.count))
        let kept = headers.components(separatedBy: "; ").reduce(into: [String]()) { kept, part in
            // a value's own "; " (a cookie list, a charset) continues the previous header
            guard let colon = part.range(of: ": "), part[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                if let previous = kept.last, !previous.hasSuffix("<redacted>") { kept[kept.count - 1] = previous + "; " + part }
                return
            }
            let name = part[..<colon.lowerBound]
            kept.append(allowedHeaders.contains(name.lowercased()) ? part : "\(name): <redacted>")
        }
        return head + kept.joined(separator: "; ") + closing
    }

    static let allowedHeaders: Set<String> = [
        "host", "content-type", "content-length", "accept", "accept-encoding", "accept-language", "user-agent", "connection",
        "transfer-encoding", "x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "origin",
    ]

    // MARK: Writing

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
