import ArgumentParser
import DicomNetwork

/// `mi-cli echo HOST PORT --aec CALLED [--aet CALLING]`: C-ECHO, like echoscu.
struct Echo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a DICOM peer with C-ECHO (PS3.4 Annex A).",
        discussion: "Exit codes: 0 success, 1 failure status, 2 no association (refused, rejected, timed out)."
    )

    @OptionGroup var peer: PeerOptions

    func run() throws {
        let client = peer.client
        let status = try runNetwork("echo") { try await client.echo() }
        emit("C-ECHO \(peer.calledAE)@\(peer.host):\(peer.port): \(status)\n")
    }
}
