import DicomCore

/// Runs a byte stream through everything an acceptor does with untrusted bytes before a handler sees them: PDU
/// framing and parsing, the PS3.8 state machine, DIMSE reassembly, command set parsing and data set decoding.
///
/// For fuzzing (`Scripts/fuzz.sh SECONDS pdu`): every rejection must be a ``DicomNetworkError``; a crash, a hang or
/// an unbounded allocation is a bug. It also checks the encoder against the parser: a PDU that parses re-encodes
/// to bytes that parse.
///
/// ```swift
/// let steps = PDUStreamCheck.run(bytes)   // the number of PDUs accepted before the stream ended or was refused
/// ```
public enum PDUStreamCheck {
    /// Small limits keep one input from asking for megabytes.
    static let maximumLength: UInt32 = 1 << 16
    static let maximumDataSetSize = 1 << 18

    /// Feeds `bytes` to an acceptor and to a requestor; returns how many PDUs the acceptor took.
    @discardableResult
    public static func run(_ bytes: [UInt8]) -> Int {
        let accepted = feed(bytes[...], requestor: false)
        _ = feed(bytes[...], requestor: true)
        return accepted
    }

    static func feed(_ stream: ArraySlice<UInt8>, requestor: Bool) -> Int {
        var machine = AssociationStateMachine(requestor: requestor)
        if requestor {
            // A requestor has sent its A-ASSOCIATE-RQ before anything arrives.
            try? machine.sending(.associateRQ(AssociateRequest(calledAE: "A", callingAE: "B", presentationContexts: [], userInformation: UserInformation(maximumLength: 0))))
        }
        var assembler = DIMSEAssembler(maximumDataSetSize: maximumDataSetSize)
        var rest = stream, count = 0
        while !rest.isEmpty {
            guard let length = try? PDU.frameLength(of: rest, maximumLength: maximumLength), length <= rest.count else { break }
            let frame = rest.prefix(length)
            rest = rest.dropFirst(length)
            guard let pdu = try? PDU(parsing: frame, maximumLength: maximumLength) else { break }
            roundTrip(pdu)
            do { try machine.received(pdu) } catch { break }
            count += 1
            if case .dataTF(let pdvs) = pdu {
                for pdv in pdvs {
                    guard let message = try? assembler.add(pdv) else { return count }
                    if let data = message.dataSet {
                        _ = try? DataSetCoding.decode(data, transferSyntax: TransferSyntaxUID.implicitLittle)
                        _ = try? DataSetCoding.decode(data, transferSyntax: TransferSyntaxUID.explicitLittle)
                    }
                }
            }
            if machine.state == .closed { break }
        }
        return count
    }

    static func roundTrip(_ pdu: PDU) {
        let encoded = pdu.encoded()
        // What we parsed, we can send: the encoding must parse again. (Byte-stable re-encoding is not asserted yet:
        // AE titles and UIDs with control or non-ASCII bytes are accepted by the parser and change on re-encoding.)
        guard (try? PDU(parsing: encoded[...], maximumLength: UInt32.max)) != nil else {
            fatalError("a parsed PDU re-encodes to bytes that do not parse: \(pdu)")
        }
    }
}
