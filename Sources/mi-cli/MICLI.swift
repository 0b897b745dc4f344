import ArgumentParser

@main
struct MICLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mi-cli",
        abstract: "Operators' tool for the medical imaging platform.",
        subcommands: []
    )
}
