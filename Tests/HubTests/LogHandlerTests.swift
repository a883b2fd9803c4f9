import Foundation
@testable import Hub
import Logging
import Testing

@Suite("Log lines")
struct LogHandlerTests {
    /// Collects what a handler writes.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    func logger(_ format: HubLogHandler.Format, into lines: Lines) -> Logger {
        Logger(label: "rollcall.test") { label in HubLogHandler(label: label, format: format, level: .info, write: lines.append) }
    }

    @Test func jsonLinesAreOneObjectEachWithMetadataAndNoSecrets() throws {
        let lines = Lines()
        let log = logger(.json, into: lines)
        log.info("listing Personio with Bearer eyJhbGciOi.secret-part failed", metadata: [
            "client_secret": "s3cr3t-value", "source": "42", "note": "token rc_AbCdEfGhIjKlMnOp used", "quote": "say \"hi\"\n",
        ])
        log.debug("not written below the level")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "info")
        #expect(object["logger"] == "rollcall.test")
        #expect(object["source"] == "42")
        #expect(object["client_secret"] == "<redacted>")
        #expect(object["quote"] == "say \"hi\"\n")
        #expect(object["message"]?.contains("Bearer <redacted>") == true)
        #expect(object["note"] == "token rc_<redacted> used")
        #expect(!line.contains("s3cr3t") && !line.contains("secret-part") && !line.contains("AbCdEfGh"))
    }

    @Test func textLinesRedactTheSameWay() throws {
        let lines = Lines()
        logger(.text, into: lines).warning("rejected client_secret=hunter2hunter2 for client x", metadata: ["authorization": "Bearer abc"])
        let line = try #require(lines.all.first)
        #expect(line.contains("warning rollcall.test: rejected client_secret=<redacted> for client x"))
        #expect(line.contains("authorization=<redacted>"))
        #expect(!line.contains("hunter2") && !line.contains("abc"))
    }

    @Test func requestHeadsKeepOnlyAllowedHeadersAndQueryValuesOnlyHarmlessOnes() {
        let head = #"Decoded HTTP part: head: HTTPRequestHead { method: GET, uri: "/invite/AbC123xyz", version: HTTP/1.1, "#
            + #"headers: cookie: rollcall_session=S3ss10n; rollcall_signin=Pr3; authorization: Basic dXNlcjpwYXNz; "#
            + #"content-type: application/x-www-form-urlencoded; charset=utf-8; x-csrf: T0k3n; host: hub.example }"#
        let redacted = HubLogHandler.redactRequestPart(head)
        #expect(redacted == #"Decoded HTTP part: head: HTTPRequestHead { method: GET, uri: "/invite/<redacted>", version: HTTP/1.1, "#
            + #"headers: cookie: <redacted>; authorization: <redacted>; content-type: application/x-www-form-urlencoded; charset=utf-8; "#
            + #"x-csrf: <redacted>; host: hub.example }"#)
        #expect(HubLogHandler.redactRequestPart("Decoded HTTP part: body: [70617373]") == "Decoded HTTP part: body (not logged)")
        let input = #"[["id": "2FBCBA50-D60B-4C08-B780-CED32E28FDCE", "password_hash": "$2b$12$abc", "role": "admin", "n": "42", "e": "a@b.c"]]"#
        #expect(HubLogHandler.redactQueryValues(input)
                == #"[["id": "2FBCBA50-D60B-4C08-B780-CED32E28FDCE", "password_hash": "<redacted>", "role": "admin", "n": "42", "e": "<redacted>"]]"#)
    }
}
