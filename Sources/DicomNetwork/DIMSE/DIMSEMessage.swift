/// One DIMSE message: a command set and, when its Command Data Set Type says so, a data set (PS3.7 §6.3).
public struct DIMSEMessage: Sendable {
    /// The presentation context it travels on.
    public var contextID: UInt8
    /// The command.
    public var command: CommandSet
    /// The data set bytes in the context's transfer syntax, as received or to be sent.
    public var dataSet: [UInt8]?

    /// Makes a message.
    public init(contextID: UInt8, command: CommandSet, dataSet: [UInt8]? = nil) {
        self.contextID = contextID
        self.command = command
        self.dataSet = dataSet
    }
}

/// Collects PDV fragments into DIMSE messages (PS3.8 Annex E): command fragments, then data set fragments.
struct DIMSEAssembler {
    /// The largest data set accepted; a larger one fails with `.oversizedDataSet`.
    let maximumDataSetSize: Int
    private var contextID: UInt8?
    private var commandBytes: [UInt8] = []
    private var command: CommandSet?
    private var dataBytes: [UInt8] = []

    init(maximumDataSetSize: Int) { self.maximumDataSetSize = maximumDataSetSize }

    /// Adds a fragment; returns a message when this fragment completes one.
    mutating func add(_ pdv: PDV) throws(DicomNetworkError) -> DIMSEMessage? {
        if let contextID, contextID != pdv.contextID {
            throw DicomNetworkError(.malformedPDU, "PDV on context \(pdv.contextID) inside a message on context \(contextID)")
        }
        contextID = pdv.contextID
        if let command {
            guard !pdv.isCommand else { throw DicomNetworkError(.malformedPDU, "command fragment after the command was complete") }
            guard dataBytes.count + pdv.data.count <= maximumDataSetSize else {
                throw DicomNetworkError(.oversizedDataSet, "data set exceeds \(maximumDataSetSize) bytes")
            }
            if dataBytes.isEmpty && pdv.isLast { dataBytes = Array(pdv.data) } else { dataBytes.append(contentsOf: pdv.data) }
            guard pdv.isLast else { return nil }
            let message = DIMSEMessage(contextID: pdv.contextID, command: command, dataSet: dataBytes)
            reset()
            return message
        }
        guard pdv.isCommand else { throw DicomNetworkError(.malformedPDU, "data set fragment before a command") }
        guard commandBytes.count + pdv.data.count <= 1 << 20 else { throw DicomNetworkError(.invalidCommand, "command set over 1 MiB") }
        commandBytes.append(contentsOf: pdv.data)
        guard pdv.isLast else { return nil }
        let parsed = try CommandSet(parsing: commandBytes)
        commandBytes = []
        if parsed.hasDataSet {
            command = parsed
            // Typical instances arrive as many fragments: reserving avoids repeated regrowth of a large buffer.
            dataBytes.reserveCapacity(1 << 16)
            return nil
        }
        let message = DIMSEMessage(contextID: pdv.contextID, command: parsed)
        reset()
        return message
    }

    /// A message is partly received.
    var isIdle: Bool { contextID == nil }

    private mutating func reset() {
        contextID = nil
        command = nil
        commandBytes = []
        dataBytes = []
    }
}
