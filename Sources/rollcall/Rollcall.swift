import ArgumentParser

@main
struct Rollcall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollcall",
        abstract: "Keeps every tool's list of people in step with Personio.",
        discussion: """
        Rollcall reads employees from Personio's Employee Data API and keeps downstream apps \
        (SCIM 2.0 services, webhook receivers, a REST change feed) up to date.

        Start with `rollcall sandbox` to run a Personio-compatible server on this machine.
        """,
        subcommands: [SandboxCommand.self]
    )
}
