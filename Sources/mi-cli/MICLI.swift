import ArgumentParser

/// `mi-cli`: one subcommand per operator task, each a thin call into the SDK.
@main
struct MICLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mi-cli",
        abstract: "Operators' tool for the medical imaging platform.",
        subcommands: [Dump.self, Decode.self, Transcode.self, Render.self, Probe.self, Measure.self, Import.self, SyntheticWorklistCommand.self,
                      Echo.self, Store.self, StoreSCP.self, QueryRetrieveSCP.self, Find.self, Move.self, Get.self]
    )
}
