import ArgumentParser

@main
struct Rollcall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollcall",
        abstract: "Keeps every tool's list of people in step with Personio.",
        discussion: """
        Rollcall reads employees from Personio's Employee Data API and keeps downstream apps \
        (SCIM 2.0 services, webhook receivers, a REST change feed) up to date.

        Start with `rollcall demo`: a Personio sandbox and the hub in one process, with a first sync \
        and a tour to follow. `rollcall sandbox` runs the Personio-compatible server alone.
        """,
        subcommands: [DemoCommand.self, ServeCommand.self, MigrateCommand.self, SyncCommand.self, PlanCommand.self,
                      WorkspaceCommand.self, TokenCommand.self, UserCommand.self, SandboxCommand.self]
    )
}
