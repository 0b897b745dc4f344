/// A DIMSE command set: the group 0000 elements, always encoded Implicit VR Little Endian (PS3.7 §6.3.1, §9.3, §E.1).
///
/// Kept apart from DicomCore's `DataSet` because it has a closed set of elements and VRs, and because command sets
/// are parsed for every message on the hot path of a Storage SCP.
public struct CommandSet: Sendable, Equatable {
    /// Element number (in group 0000) to value bytes, without group length.
    public private(set) var elements: [UInt16: [UInt8]] = [:]

    /// An empty command set.
    public init() {}

    /// Command Field values (PS3.7 §E.1).
    public enum Field: UInt16, Sendable {
        case cStoreRQ = 0x0001, cStoreRSP = 0x8001
        case cGetRQ = 0x0010, cGetRSP = 0x8010
        case cFindRQ = 0x0020, cFindRSP = 0x8020
        case cMoveRQ = 0x0021, cMoveRSP = 0x8021
        case cEchoRQ = 0x0030, cEchoRSP = 0x8030
        case cCancelRQ = 0x0FFF
    }

    /// Command elements used here (PS3.7 Annex E).
    public enum Element: UInt16, Sendable {
        case affectedSOPClassUID = 0x0002, requestedSOPClassUID = 0x0003, commandField = 0x0100
        case messageID = 0x0110, messageIDBeingRespondedTo = 0x0120, moveDestination = 0x0600
        case priority = 0x0700, commandDataSetType = 0x0800, status = 0x0900
        case offendingElement = 0x0901, errorComment = 0x0902, errorID = 0x0903
        case affectedSOPInstanceUID = 0x1000, requestedSOPInstanceUID = 0x1001
        case remainingSubOperations = 0x1020, completedSubOperations = 0x1021
        case failedSubOperations = 0x1022, warningSubOperations = 0x1023
        case moveOriginatorAE = 0x1030, moveOriginatorMessageID = 0x1031
    }

    /// Command Data Set Type (0000,0800) value meaning "no data set" (PS3.7 §E.1).
    public static let noDataSet: UInt16 = 0x0101

    /// Sets a US element.
    public mutating func set(_ e: Element, _ value: UInt16) { elements[e.rawValue] = [UInt8(truncatingIfNeeded: value), UInt8(value >> 8)] }

    /// Sets a UI or AE/LO element: UIDs padded with NUL, other strings with a space, to even length (PS3.5 §6.2).
    public mutating func set(_ e: Element, _ value: String) {
        var b = Array(value.utf8)
        if b.count & 1 == 1 { b.append(e == .affectedSOPClassUID || e == .requestedSOPClassUID || e == .affectedSOPInstanceUID || e == .requestedSOPInstanceUID ? 0 : 0x20) }
        elements[e.rawValue] = b
    }

    /// A US element.
    public func uint16(_ e: Element) -> UInt16? {
        guard let b = elements[e.rawValue], b.count >= 2 else { return nil }
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    /// A string element with padding removed.
    public func string(_ e: Element) -> String? {
        guard let b = elements[e.rawValue] else { return nil }
        return PDUReader.trimmed(b[...]).trimmingCharacters(inSpaces: true)
    }

    /// The Command Field.
    public var field: Field? { uint16(.commandField).flatMap(Field.init(rawValue:)) }
    /// Message ID, or for responses, Message ID Being Responded To.
    public var messageID: UInt16? { uint16(.messageID) }
    /// The command is followed by a data set.
    public var hasDataSet: Bool { (uint16(.commandDataSetType) ?? CommandSet.noDataSet) != CommandSet.noDataSet }
    /// Status of a response.
    public var status: DIMSEStatus? { uint16(.status).map(DIMSEStatus.init) }

    /// Encodes with (0000,0000) Command Group Length first, elements in tag order.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for key in elements.keys.sorted() {
            let v = elements[key]!
            CommandSet.header(&body, key, v.count)
            body.append(contentsOf: v)
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 12)
        CommandSet.header(&out, 0, 4)
        let n = UInt32(body.count)
        out.append(contentsOf: [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n >> 16), UInt8(n >> 24)])
        out.append(contentsOf: body)
        return out
    }

    private static func header(_ out: inout [UInt8], _ element: UInt16, _ length: Int) {
        out.append(contentsOf: [0, 0, UInt8(truncatingIfNeeded: element), UInt8(element >> 8)])
        let n = UInt32(length)
        out.append(contentsOf: [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n >> 16), UInt8(n >> 24)])
    }

    /// Parses an Implicit VR Little Endian command set; every element must be in group 0000 and fit the input.
    public init(parsing bytes: [UInt8]) throws(DicomNetworkError) {
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 8 else { throw DicomNetworkError(.invalidCommand, "command set ends inside an element header") }
            let group = UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
            let element = UInt16(bytes[i + 2]) | UInt16(bytes[i + 3]) << 8
            let length = Int(UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 24)
            i += 8
            guard group == 0 else { throw DicomNetworkError(.invalidCommand, "element in group \(group) in a command set") }
            guard length <= bytes.count - i else { throw DicomNetworkError(.invalidCommand, "command element (0000,\(element)) runs past the end") }
            if element != 0 { elements[element] = Array(bytes[i..<(i + length)]) }
            i += length
        }
        guard field != nil else { throw DicomNetworkError(.invalidCommand, "no known Command Field") }
    }
}

extension CommandSet {
    /// A request with the common elements set.
    public static func request(_ field: Field, messageID: UInt16, sopClassUID: String, hasDataSet: Bool, priority: UInt16? = 0) -> CommandSet {
        var c = CommandSet()
        c.set(.commandField, field.rawValue)
        c.set(.messageID, messageID)
        if field == .cCancelRQ {
            c.elements[Element.messageID.rawValue] = nil
            c.set(.messageIDBeingRespondedTo, messageID)
        } else {
            c.set(.affectedSOPClassUID, sopClassUID)
        }
        if let priority, field != .cEchoRQ, field != .cCancelRQ { c.set(.priority, priority) }
        c.set(.commandDataSetType, hasDataSet ? 0x0000 : noDataSet)
        return c
    }

    /// The response to `request` with `status`.
    public static func response(to request: CommandSet, status: DIMSEStatus, hasDataSet: Bool = false) -> CommandSet {
        var c = CommandSet()
        let field = (request.field?.rawValue ?? 0) | 0x8000
        c.set(.commandField, field)
        c.set(.messageIDBeingRespondedTo, request.messageID ?? 0)
        if let uid = request.string(.affectedSOPClassUID) { c.set(.affectedSOPClassUID, uid) }
        if let uid = request.string(.affectedSOPInstanceUID) { c.set(.affectedSOPInstanceUID, uid) }
        c.set(.commandDataSetType, hasDataSet ? 0x0000 : noDataSet)
        c.set(.status, status.code)
        return c
    }
}
