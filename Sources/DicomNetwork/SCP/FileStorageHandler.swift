import DicomCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A Storage SCP back end that writes each instance as a Part 10 file `DIR/<SOP Instance UID>.dcm`.
///
/// The file is the 128-byte preamble, `DICM`, File Meta Information, then the data set bytes exactly as received
/// (no parse, no re-encode). It is written to a temporary name, fsynced, renamed into place, and the directory is
/// fsynced, before Success is answered; any failure answers A700 (out of resources) and leaves no partial file.
public struct FileStorageHandler: StorageHandler {
    /// The folder files go to.
    public let directory: String
    /// Called with one line per failure.
    public let log: @Sendable (String) -> Void
    /// Called after each instance is kept, with its path.
    public let onStored: (@Sendable (String) -> Void)?

    /// A handler writing into `directory` (created if missing).
    public init(directory: String, log: @escaping @Sendable (String) -> Void = { _ in }, onStored: (@Sendable (String) -> Void)? = nil) {
        self.directory = directory
        self.log = log
        self.onStored = onStored
        mkdir(directory, 0o755)
    }

    public func store(_ request: StoreRequest) async -> DIMSEStatus {
        do {
            let path = try write(request)
            onStored?(path)
            return .success
        } catch {
            log("C-STORE of \(request.sopInstanceUID) from \(request.callingAE) not kept: \(error)")
            return .outOfResources
        }
    }

    /// The File Meta Information for a received instance (PS3.10 §7.1).
    public static func fileHeader(for request: StoreRequest) throws(DicomNetworkError) -> [UInt8] {
        var meta = DataSet()
        do {
            try meta.setString(request.sopClassUID, for: .mediaStorageSOPClassUID, vr: .UI)
            try meta.setString(request.sopInstanceUID, for: .mediaStorageSOPInstanceUID, vr: .UI)
            try meta.setString(request.transferSyntax, for: .transferSyntaxUID, vr: .UI)
            try meta.setString(DicomNetwork.implementationClassUID, for: .implementationClassUID, vr: .UI)
            try meta.setString(DicomNetwork.implementationVersionName, for: .implementationVersionName, vr: .SH)
            if !request.callingAE.isEmpty { try meta.setString(request.callingAE, for: .sourceApplicationEntityTitle, vr: .AE) }
            return try DicomFile(fileMetaInformation: meta, dataSet: DataSet(), transferSyntax: TransferSyntax(uid: request.transferSyntax)).encoded()
        } catch {
            throw DicomNetworkError(.dataSet, "cannot make File Meta Information: \(error)")
        }
    }

    /// Writes the file durably and returns its path.
    public func write(_ request: StoreRequest) throws(DicomNetworkError) -> String {
        let file = try IncomingFile(directory: directory, request: request)
        do {
            try file.append(request.dataSet[...])
            return try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// One instance being written: `.NAME.RANDOM.part` in the folder until ``commit()`` makes it `NAME.dcm`.
    ///
    /// The data set can arrive in pieces (``append(_:)`` per P-DATA fragment), so an SCP writes received bytes
    /// straight to disk without holding the whole instance in memory. Not `Sendable`: one writer, one thread.
    final class IncomingFile {
        let directory: String
        let path: String
        let temp: String
        private var fd: Int32
        /// Bytes of the data set appended so far.
        private(set) var dataSetBytes = 0

        /// Creates the temporary file and writes the preamble and File Meta Information (`request.dataSet` is not written).
        init(directory: String, request: StoreRequest) throws(DicomNetworkError) {
            let name = String(request.sopInstanceUID.filter { $0 == "." || $0.isASCII && $0.isNumber }.prefix(64))
            guard !name.isEmpty, name.first != "." else { throw DicomNetworkError(.fileIO, "SOP Instance UID \(request.sopInstanceUID) is not a UID") }
            let header = try FileStorageHandler.fileHeader(for: request)
            self.directory = directory
            path = directory + "/" + name + ".dcm"
            temp = directory + "/." + name + ".\(UInt32.random(in: 0...UInt32.max)).part"
            fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw DicomNetworkError(.fileIO, "cannot create \(temp): errno \(errno)") }
            guard FileStorageHandler.writeAll(fd, header[...]) else {
                let saved = errno
                discard()
                throw DicomNetworkError(.fileIO, "cannot write \(temp): errno \(saved)")
            }
        }

        deinit { if fd >= 0 { discard() } }

        /// Appends data set bytes.
        func append(_ bytes: ArraySlice<UInt8>) throws(DicomNetworkError) {
            guard fd >= 0 else { throw DicomNetworkError(.fileIO, "\(temp) is already closed") }
            guard FileStorageHandler.writeAll(fd, bytes) else { throw DicomNetworkError(.fileIO, "cannot write \(temp): errno \(errno)") }
            dataSetBytes += bytes.count
        }

        /// Makes the file durable under its final name: fsync the file, rename it into place, fsync the folder
        /// (the rename is only durable once the folder is synced). Returns the path. On failure the file is removed.
        func commit() throws(DicomNetworkError) -> String {
            guard fd >= 0 else { throw DicomNetworkError(.fileIO, "\(temp) is already closed") }
            let synced = fsync(fd) == 0
            let savedErrno = errno
            close(fd)
            fd = -1
            guard synced, rename(temp, path) == 0 else {
                unlink(temp)
                throw DicomNetworkError(.fileIO, "cannot write \(path): errno \(savedErrno)")
            }
            let dir = open(directory, O_RDONLY | O_CLOEXEC)
            guard dir >= 0 else { throw DicomNetworkError(.fileIO, "cannot open \(directory) to sync it") }
            defer { close(dir) }
            guard fsync(dir) == 0 else { throw DicomNetworkError(.fileIO, "cannot sync \(directory): errno \(errno)") }
            return path
        }

        /// Closes and removes the temporary file; nothing is left.
        func discard() {
            if fd >= 0 { close(fd); fd = -1 }
            unlink(temp)
        }
    }

    fileprivate static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
    }
}

/// The POSIX `write`, named apart from the handler's own `write(_:)`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
