import Foundation
import Testing

/// The README's table of what each requirement document promises names, for every promise, the tests
/// that keep it true: each named test must exist (a `func` in `Tests/`, or a step of the browser test),
/// so the table cannot drift from the suite.
@Suite("README's seed table")
struct SeedTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every Swift test source under `Tests/`, concatenated.
    static func testSources() throws -> String {
        let tests = root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" }.map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    @Test func everyPromiseNamesTestsThatExist() throws {
        let readme = try Self.text("README.md")
        let start = try #require(readme.range(of: "## What each requirement document promises"))
        let section = readme[start.upperBound...].prefix { _ in true }.split(separator: "\n## ", maxSplits: 1).first ?? ""
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Document") }
        #expect(rows.count >= 20, "one line per promise")
        for document in ["000 Clockodo", "001 WorkMotion", "002 Honestly", "003 Back", "004 Recruitee"] {
            #expect(rows.contains { $0.contains(document) }, "a row for \(document)")
        }
        let sources = try Self.testSources()
        let browser = try Self.text("Tests/Browser/dashboard_test.py")
        for row in rows {
            let checkedBy = String(row.split(separator: "|").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "")
            let names = checkedBy.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            let steps = checkedBy.components(separatedBy: "browser \"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            #expect(!names.isEmpty || !steps.isEmpty, "every promise names a test: \(row)")
            for name in names {
                #expect(sources.contains("func \(name)("), "\(name) is a test in Tests/")
            }
            for step in steps {
                #expect(browser.contains("step(\"\(step)"), "the browser test has the step \(step)")
            }
        }
    }
}
