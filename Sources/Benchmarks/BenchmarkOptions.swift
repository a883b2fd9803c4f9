/// A benchmark's command line, checked: `--help` explains, an option the benchmark does not take or a
/// value that is not a number is an error naming it — never a run with a default in its place.
struct BenchmarkOptions {
    /// The options each benchmark takes (`--rollcall` is taken by every one that starts `rollcall`).
    static let known: [String: Set<String>] = [
        "sandbox": ["--employees", "--rollcall"],
        "client": ["--employees", "--rollcall"],
        "client-limits": ["--employees", "--rollcall"],
        "client-v2": ["--employees", "--limited", "--per-minute", "--rollcall"],
        "engine": ["--people"],
        "hub": ["--employees", "--no-wait", "--rollcall"],
        "fleet": ["--workspaces", "--instances", "--minutes", "--warmup", "--employees", "--postgres", "--concurrency", "--rollcall"],
        "webhooks": ["--employees", "--rollcall"],
        "scim": ["--employees", "--server", "--rollcall"],
        "decode": ["--pages", "--rounds", "--rollcall"],
    ]
    /// Options that are switches, without a value.
    static let switches: Set<String> = ["--no-wait"]

    let command: String
    private var values: [String: String] = [:]
    private var given: Set<String> = []

    /// Nil for `--help`/`-h` or no benchmark named; throws for an unknown benchmark or option.
    init?(_ arguments: [String]) throws {
        guard let command = arguments.first, !arguments.contains("--help"), !arguments.contains("-h") else { return nil }
        guard let allowed = Self.known[command] else {
            throw BenchmarkError("there is no benchmark ‘\(command)’; the benchmarks are \(Self.known.keys.sorted().joined(separator: ", ")) "
                                 + "(rollcall-bench --help)")
        }
        self.command = command
        var rest = arguments.dropFirst()[...]
        while let name = rest.popFirst() {
            guard allowed.contains(name) else {
                throw BenchmarkError("‘\(name)’ is not an option of `rollcall-bench \(command)`; it takes "
                                     + "\(allowed.sorted().joined(separator: ", "))")
            }
            given.insert(name)
            if Self.switches.contains(name) { continue }
            guard let value = rest.popFirst(), !value.hasPrefix("--") else { throw BenchmarkError("\(name) needs a value") }
            values[name] = value
        }
    }

    func has(_ name: String) -> Bool { given.contains(name) }

    func text(_ name: String) -> String? { values[name] }

    /// A whole number of at least `minimum`, or the default when not given.
    func integer(_ name: String, _ fallback: Int, minimum: Int = 1) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value >= minimum else {
            throw BenchmarkError("\(name) takes a whole number from \(minimum) on, not ‘\(text)’")
        }
        return value
    }

    /// A number of at least zero (minutes, seconds), or the default when not given.
    func number(_ name: String, _ fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value.isFinite, value >= 0 else { throw BenchmarkError("\(name) takes a number, not ‘\(text)’") }
        return value
    }
}
