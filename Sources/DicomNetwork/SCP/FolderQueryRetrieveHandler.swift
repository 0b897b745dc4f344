import DicomCore
import Foundation

/// The Query/Retrieve levels of the Patient Root and Study Root information models (PS3.4 §C.3).
public enum QueryRetrieveLevel: String, Sendable, CaseIterable {
    case patient = "PATIENT", study = "STUDY", series = "SERIES", image = "IMAGE"

    /// The unique key of the level (PS3.4 Tables C.6-1 to C.6-4).
    public var uniqueKey: Tag {
        switch self {
        case .patient: .patientID
        case .study: .studyInstanceUID
        case .series: .seriesInstanceUID
        case .image: .sopInstanceUID
        }
    }
}

/// A Query/Retrieve SCP back end over a folder of DICOM files: C-FIND at every level of Patient Root and Study
/// Root, C-MOVE to the AEs it is told about, C-GET.
///
/// The folder is indexed once, when the handler is made: each file's header up to Pixel Data
/// (`DicomFile.read(contentsOf:upTo:)`), so indexing stays fast for large images. Instances are read from disk
/// again when retrieved and sent in the transfer syntax they are stored in.
///
/// ```swift
/// var config = DicomServerConfiguration(aeTitle: "MI-QR", port: 11112)
/// let archive = FolderQueryRetrieveHandler(directory: "/data/dicom", destinations: ["WS1": ("10.0.0.5", 104)])
/// config.query = archive
/// config.retrieve = archive
/// ```
public final class FolderQueryRetrieveHandler: QueryHandler, RetrieveHandler {
    /// One indexed instance.
    struct Entry: Sendable {
        var path: String
        var header: DataSet
        var sopClassUID: String
        var sopInstanceUID: String
    }

    /// The indexed folder.
    public let directory: String
    /// C-MOVE destinations: AE title to host and port.
    public let destinations: [String: (host: String, port: Int)]
    let entries: [Entry]
    /// Files that could not be indexed, with the reason.
    public let skipped: [(path: String, reason: String)]

    /// The number of indexed instances.
    public var count: Int { entries.count }

    /// Indexes `directory` (recursively). Files that are not DICOM are listed in ``skipped``.
    public init(directory: String, destinations: [String: (host: String, port: Int)] = [:]) {
        self.directory = directory
        self.destinations = destinations
        var entries: [Entry] = [], skipped: [(String, String)] = []
        var seen = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var paths: [String] = []
        while let name = enumerator?.nextObject() as? String {
            let full = directory + "/" + name
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(full) }
        }
        for path in paths.sorted() {
            do {
                let file = try DicomFile.read(contentsOf: path, upTo: .pixelData)
                guard let sopClass = file.fileMetaInformation.uid(.mediaStorageSOPClassUID) ?? file.dataSet.uid(.sopClassUID),
                      let sopInstance = file.dataSet.uid(.sopInstanceUID) ?? file.fileMetaInformation.uid(.mediaStorageSOPInstanceUID) else {
                    skipped.append((path, "no SOP Class or SOP Instance UID"))
                    continue
                }
                // The same instance twice (a copy in another folder) is answered once.
                guard seen.insert(sopInstance).inserted else { continue }
                entries.append(Entry(path: path, header: file.dataSet, sopClassUID: sopClass, sopInstanceUID: sopInstance))
            } catch {
                skipped.append((path, "\(error)"))
            }
        }
        self.entries = entries
        self.skipped = skipped
    }

    // MARK: C-FIND

    /// Attributes computed over the archive rather than read from one header (PS3.4 §C.3.4, Table C.3-4).
    static let computed: Set<Tag> = [
        Tag(0x0020, 0x1200), Tag(0x0020, 0x1202), Tag(0x0020, 0x1204), Tag(0x0020, 0x1206), Tag(0x0020, 0x1208), Tag(0x0020, 0x1209),
        Tag(0x0008, 0x0061), Tag(0x0008, 0x0062),
    ]

    public func find(_ request: FindRequest) async throws -> [DataSet] {
        let level = try Self.level(of: request.identifier, sopClassUID: request.sopClassUID)
        let groups = groupsMatching(request.identifier, at: level)
        return try groups.map { try response(for: request.identifier, level: level, group: $0) }
    }

    /// The level named by the identifier, checked against the information model.
    static func level(of identifier: DataSet, sopClassUID: String) throws -> QueryRetrieveLevel {
        guard let text = identifier.string(Tag(0x0008, 0x0052)), let level = QueryRetrieveLevel(rawValue: text) else {
            throw DicomNetworkError(.operationFailed, "missing or unknown Query/Retrieve Level", status: 0xA900)
        }
        let studyRoot = [SOPClass.studyRootFind, SOPClass.studyRootMove, SOPClass.studyRootGet].contains(sopClassUID)
        if studyRoot && level == .patient {
            throw DicomNetworkError(.operationFailed, "Study Root has no PATIENT level", status: 0xA900)
        }
        return level
    }

    /// The entities at `level` that the identifier selects, each as the list of its instances, in index order.
    func groupsMatching(_ identifier: DataSet, at level: QueryRetrieveLevel) -> [[Entry]] {
        var keys = identifier
        keys.removeAll { Self.computed.contains($0) }
        var order: [String] = []
        var groups: [String: [Entry]] = [:]
        for entry in entries where QueryMatching.matches(keys, entry.header) {
            let id = entry.header.string(level.uniqueKey) ?? ""
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(entry)
        }
        // Modalities in Study matches when any series of the study does (PS3.4 §C.6.1.1.3).
        let modalities = identifier.strings(Tag(0x0008, 0x0061))
        return order.compactMap { id in
            let group = groups[id]!
            if !modalities.isEmpty, !modalities.contains(where: { m in m.isEmpty || QueryMatching.matches(key: m, vr: .CS, values: modalitiesInStudy(of: group[0])) }) {
                return nil
            }
            return group
        }
    }

    func related(_ entry: Entry, _ key: Tag) -> [Entry] {
        let value = entry.header.string(key)
        return entries.filter { $0.header.string(key) == value }
    }

    func modalitiesInStudy(of entry: Entry) -> [String] {
        var seen: [String] = []
        for e in related(entry, .studyInstanceUID) { if let m = e.header.string(.modality), !seen.contains(m) { seen.append(m) } }
        return seen
    }

    /// One C-FIND answer: every requested key filled from the entity, in UTF-8, plus the level and its unique key.
    func response(for identifier: DataSet, level: QueryRetrieveLevel, group: [Entry]) throws -> DataSet {
        let first = group[0]
        var out = DataSet()
        try out.setString("ISO_IR 192", for: .specificCharacterSet)
        var wanted = identifier.elements.map(\.tag)
        if !wanted.contains(level.uniqueKey) { wanted.append(level.uniqueKey) }
        for tag in wanted where tag != .specificCharacterSet {
            let vr = identifier[tag]?.vr ?? DataDictionary.entry(for: tag)?.vr ?? .UN
            switch tag {
            case Tag(0x0008, 0x0052): try out.setString(level.rawValue, for: tag, vr: .CS)
            case Tag(0x0020, 0x1200): try out.setString("\(Set(related(first, .patientID).compactMap { $0.header.string(.studyInstanceUID) }).count)", for: tag, vr: .IS)
            case Tag(0x0020, 0x1202): try out.setString("\(Set(related(first, .patientID).compactMap { $0.header.string(.seriesInstanceUID) }).count)", for: tag, vr: .IS)
            case Tag(0x0020, 0x1204): try out.setString("\(related(first, .patientID).count)", for: tag, vr: .IS)
            case Tag(0x0020, 0x1206): try out.setString("\(Set(related(first, .studyInstanceUID).compactMap { $0.header.string(.seriesInstanceUID) }).count)", for: tag, vr: .IS)
            case Tag(0x0020, 0x1208): try out.setString("\(related(first, .studyInstanceUID).count)", for: tag, vr: .IS)
            case Tag(0x0020, 0x1209): try out.setString("\(related(first, .seriesInstanceUID).count)", for: tag, vr: .IS)
            case Tag(0x0008, 0x0061): try out.setStrings(modalitiesInStudy(of: first), for: tag, vr: .CS)
            case Tag(0x0008, 0x0062):
                var classes: [String] = []
                for e in related(first, .studyInstanceUID) where !classes.contains(e.sopClassUID) { classes.append(e.sopClassUID) }
                try out.setStrings(classes, for: tag, vr: .UI)
            default:
                if let element = first.header[tag] {
                    if element.vr.isString {
                        try out.setStrings(first.header.strings(tag), for: tag, vr: element.vr)
                    } else {
                        out.set(element)
                    }
                } else if vr == .SQ {
                    out.set(DataElement(tag: tag, vr: .SQ, value: .sequence([])))
                } else {
                    out.set(DataElement(tag: tag, vr: vr, bytes: []))
                }
            }
        }
        return out
    }

    // MARK: C-MOVE, C-GET

    public func instances(for request: RetrieveRequest) async throws -> [RetrievableInstance] {
        let level = try Self.level(of: request.identifier, sopClassUID: request.sopClassUID)
        return try groupsMatching(request.identifier, at: level).joined().map { entry in
            guard let data = FileManager.default.contents(atPath: entry.path) else {
                throw DicomNetworkError(.fileIO, "cannot read \(entry.path)")
            }
            let bytes = [UInt8](data)
            let read = DicomFile.readPartial(bytes: bytes, options: .headerOnly)
            guard let file = read.file else { throw DicomNetworkError(.fileIO, "\(entry.path) no longer reads as DICOM") }
            return RetrievableInstance(sopClassUID: entry.sopClassUID, sopInstanceUID: entry.sopInstanceUID,
                                       transferSyntax: file.transferSyntax.uid, dataSet: Array(bytes[read.dataSetOffset...]))
        }
    }

    public func destination(forAE aeTitle: String) async -> (host: String, port: Int)? {
        destinations[aeTitle]
    }
}
