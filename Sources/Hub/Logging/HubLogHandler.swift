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
        let fields = merged.map { key, value in (key, Self.isSecretKey(key) ? "<redacted>" : Self.redact("\(value)")) }
            .sorted { $0.0 < $1.0 }
        let message = Self.redact(event.message.description)
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

    /// What is replaced inside free text, compiled once: bearer tokens, Rollcall API tokens, and
    /// `secret=…` / `"client_secret": "…"`.
    static let secretPatterns: [(expression: NSRegularExpression, template: String)] = [
        (#"Bearer\s+[A-Za-z0-9._~+/=-]+"#, "Bearer <redacted>"),
        (#"\brc_[A-Za-z0-9_-]{8,}"#, "rc_<redacted>"),
        (#"(client_secret|secret)(["']?\s*[:=]\s*["']?)[^\s"',&}]+"#, "$1$2<redacted>"),
    ].compactMap { pattern, template in (try? NSRegularExpression(pattern: pattern)).map { ($0, template) } }

    /// Replaces `Bearer …`, `rc_…` API tokens and `client_secret=…` inside free text.
    static func redact(_ text: String) -> String {
        guard text.contains("Bearer") || text.contains("rc_") || text.contains("secret") else { return text }
        var result = text
        for (expression, template) in secretPatterns {
            result = expression.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }

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
