import ArgumentParser
import DicomCore
import DicomNetwork
import Foundation

/// The information model flags shared by find, move and get.
struct ModelOptions: ParsableArguments {
    @Flag(name: .customLong("patient-root"), help: "Patient Root information model (default Study Root).") var patientRoot = false
    @Flag(name: .customLong("worklist"), help: "Modality Worklist information model (find only).") var worklist = false

    var model: InformationModel { worklist ? .modalityWorklist : patientRoot ? .patientRoot : .studyRoot }

    /// Adds Query/Retrieve Level when the keys do not give one: PATIENT for Patient Root, STUDY for Study Root.
    func complete(_ identifier: inout DataSet) throws {
        guard !worklist, !identifier.contains(Tag(0x0008, 0x0052)) else { return }
        try identifier.setString(patientRoot ? "PATIENT" : "STUDY", for: Tag(0x0008, 0x0052), vr: .CS)
    }
}

/// `mi-cli find HOST PORT --aec A -k Tag=Value ...`: C-FIND, printing the matches as a JSON array of DICOM JSON.
struct Find: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Query a peer with C-FIND and print the matches as a JSON array in the DICOM JSON Model (PS3.18 §F.2).",
        discussion: "Keys as findscu: -k PatientName=Wang* -k StudyInstanceUID= . Exit codes: 0 success, 1 failure status, 2 no association."
    )

    @OptionGroup var peer: PeerOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var keys: QueryKeys

    func run() throws {
        var identifier = try keys.identifier()
        try model.complete(&identifier)
        let client = peer.client, information = model.model, query = identifier
        let matches = try runNetwork("find") { try await client.find(information, identifier: query) }
        emit("[" + matches.map { DicomJSON.encode($0) }.joined(separator: ",") + "]\n")
    }
}

/// `mi-cli move HOST PORT --aec A --move DEST -k ...`: C-MOVE, like movescu.
struct Move: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a peer to send instances to an AE with C-MOVE.",
        discussion: "Exit codes: 0 all sub-operations completed, 1 failures or a failure status, 2 no association."
    )

    @OptionGroup var peer: PeerOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var keys: QueryKeys
    @Option(name: .customLong("move"), help: "The destination AE title (known to the peer).") var destination: String

    func run() throws {
        var identifier = try keys.identifier()
        try model.complete(&identifier)
        let client = peer.client, information = model.model, query = identifier, destination = self.destination
        let progress = ProgressLine(label: "moved")
        let result = try runNetwork("move") {
            try await client.move(information, identifier: query, destination: destination) { r in
                progress.update(r.done, r.done + r.remaining)
            }
        }
        emit("C-MOVE \(result.status): \(result.completed) completed, \(result.failed) failed, \(result.warning) warnings\n")
        if result.failed > 0 { throw NetworkExit.operationFailed }
    }
}

/// `mi-cli get HOST PORT --aec A --dir D -k ...`: C-GET, storing what comes back as Part 10 files.
struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retrieve instances with C-GET into a folder (the peer sends them back on the same association).",
        discussion: "Exit codes: 0 all sub-operations completed, 1 failures or a failure status, 2 no association."
    )

    @OptionGroup var peer: PeerOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var keys: QueryKeys
    @Option(help: "Folder for retrieved files.") var dir = "."

    func run() throws {
        var identifier = try keys.identifier()
        try model.complete(&identifier)
        let client = peer.client, information = model.model, query = identifier
        let storage = FileStorageHandler(directory: dir)
        let progress = ProgressLine(label: "retrieved")
        let result = try runNetwork("get") {
            try await client.get(information, identifier: query, storage: storage) { r in progress.update(r.done, r.done + r.remaining) }
        }
        emit("C-GET \(result.status): \(result.completed) completed, \(result.failed) failed, \(result.warning) warnings\n")
        if result.failed > 0 { throw NetworkExit.operationFailed }
    }
}
