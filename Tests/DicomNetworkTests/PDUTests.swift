import Testing
@testable import DicomNetwork

@Suite struct PDUTests {
    static let request = AssociateRequest(
        calledAE: "ORTHANC", callingAE: "MI-SCU",
        presentationContexts: [
            PresentationContextProposal(id: 1, abstractSyntax: SOPClass.verification, transferSyntaxes: [TransferSyntaxUID.implicitLittle]),
            PresentationContextProposal(id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.1.2", transferSyntaxes: ["1.2.840.10008.1.2.4.70", TransferSyntaxUID.explicitLittle]),
        ],
        userInformation: UserInformation(maximumLength: 32768, asynchronousOperationsWindow: (1, 1),
                                         roleSelections: [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scu: false, scp: true)],
                                         extendedNegotiations: [ExtendedNegotiation(sopClassUID: SOPClass.studyRootFind, applicationInformation: [1, 0, 1])],
                                         userIdentity: .usernamePassword("wang", "secret", positiveResponseRequested: true)))

    static let samples: [PDU] = [
        .associateRQ(request),
        .associateAC(AssociateAccept(calledAE: "ORTHANC", callingAE: "MI-SCU", presentationContexts: [
            PresentationContextResult(id: 1, result: .acceptance, transferSyntax: TransferSyntaxUID.implicitLittle),
            PresentationContextResult(id: 3, result: .abstractSyntaxNotSupported, transferSyntax: TransferSyntaxUID.implicitLittle),
        ], userInformation: UserInformation(maximumLength: 0, userIdentityResponse: [1, 2]))),
        .associateRJ(.calledAENotRecognized),
        .dataTF([PDV(contextID: 1, isCommand: true, isLast: false, data: [1, 2, 3][...]), PDV(contextID: 1, isCommand: true, isLast: true, data: [][...])]),
        .releaseRQ, .releaseRP, .abort(.unexpectedPDU),
    ]

    @Test func everyPDURoundTrips() throws {
        for pdu in Self.samples {
            let bytes = pdu.encoded()
            let parsed = try PDU(parsing: bytes)
            #expect(parsed == pdu)
            #expect(parsed.encoded() == bytes, "re-encoding gives the same bytes")
        }
    }

    @Test func associateRequestMatchesTheStandardLayout() {
        let bytes = PDU.associateRQ(Self.request).encoded()
        #expect(bytes[0] == 0x01)
        #expect(Array(bytes[6..<8]) == [0, 1], "protocol version 1")
        #expect(String(decoding: bytes[10..<26], as: UTF8.self) == "ORTHANC         ", "called AE space padded to 16")
        #expect(bytes[74] == 0x10, "application context item after the 68-byte fixed part")
    }

    @Test func everyTruncatedPrefixIsRejected() {
        for pdu in Self.samples {
            let bytes = pdu.encoded()
            for n in 0..<bytes.count {
                #expect(throws: DicomNetworkError.self) { try PDU(parsing: bytes[0..<n]) }
            }
            #expect(throws: DicomNetworkError(.malformedPDU)) { try PDU(parsing: bytes + [0]) }
        }
    }

    @Test func innerLengthsThatOverrunTheirItemAreRejected() {
        var bytes = PDU.associateRQ(Self.request).encoded()
        bytes[77] = 0xFF // application context item length
        #expect(throws: DicomNetworkError(.truncatedPDU)) { try PDU(parsing: bytes) }
        var pdata = PDU.dataTF([PDV(contextID: 1, isCommand: false, isLast: true, data: [9, 9][...])]).encoded()
        pdata[9] = 0x40
        #expect(throws: DicomNetworkError(.truncatedPDU)) { try PDU(parsing: pdata) }
    }

    @Test func oversizedAndUnknownPDUsFailOnTheHeader() throws {
        #expect(throws: DicomNetworkError(.oversizedPDU)) { try PDU.frameLength(of: [4, 0, 0x7F, 0xFF, 0xFF, 0xFF], maximumLength: 1 << 20) }
        #expect(throws: DicomNetworkError(.unknownPDUType)) { try PDU.frameLength(of: [0x47, 0x45, 0x54, 0x20, 0x2F, 0x20], maximumLength: 1 << 20) }
        #expect(try PDU.frameLength(of: [5, 0, 0, 0], maximumLength: 100) == nil)
    }

    @Test func garbageNeverCrashesTheParser() {
        var rng = SystemRandomNumberGenerator()
        let seeds = Self.samples.map { $0.encoded() }
        for i in 0..<5000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? PDU(parsing: bytes)
        }
    }

    @Test func stateMachineRejectsDataBeforeAssociation() throws {
        var acceptor = AssociationStateMachine(requestor: false)
        #expect(throws: DicomNetworkError(.unexpectedPDU)) { try acceptor.received(.dataTF([])) }
        var m = AssociationStateMachine(requestor: false)
        try m.received(.associateRQ(Self.request))
        try m.sending(.associateAC(AssociateAccept(calledAE: "A", callingAE: "B", presentationContexts: [])))
        #expect(m.state == .established)
        try m.received(.dataTF([]))
        #expect(throws: DicomNetworkError(.unexpectedPDU)) { try m.received(.associateRQ(Self.request)) }
        var r = AssociationStateMachine(requestor: true)
        try r.sending(.associateRQ(Self.request))
        #expect(throws: DicomNetworkError(.unexpectedPDU)) { try r.received(.releaseRP) }
    }

    @Test func commandSetRoundTripsInImplicitLittleEndian() throws {
        var c = CommandSet.request(.cStoreRQ, messageID: 7, sopClassUID: "1.2.840.10008.5.1.4.1.1.2", hasDataSet: true)
        c.set(.affectedSOPInstanceUID, "1.2.3")
        let bytes = c.encoded()
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 0, 4, 0, 0, 0], "group length first, implicit VR")
        let parsed = try CommandSet(parsing: bytes)
        #expect(parsed == c)
        #expect(parsed.string(.affectedSOPInstanceUID) == "1.2.3")
        #expect(parsed.field == .cStoreRQ && parsed.hasDataSet && parsed.messageID == 7)
        #expect(throws: DicomNetworkError(.invalidCommand)) { try CommandSet(parsing: Array(bytes.dropLast())) }
    }

    @Test func messagesAreFragmentedToThePeerLimit() throws {
        var sizes: [Int] = []
        var lasts: [Bool] = []
        Association.fragments([UInt8](repeating: 1, count: 100)[...], size: 30) { sizes.append($0.count); lasts.append($1) }
        #expect(sizes == [30, 30, 30, 10])
        #expect(lasts == [false, false, false, true])
        var assembler = DIMSEAssembler(maximumDataSetSize: 50)
        let command = CommandSet.request(.cStoreRQ, messageID: 1, sopClassUID: "1.2", hasDataSet: true).encoded()
        let first = try assembler.add(PDV(contextID: 1, isCommand: true, isLast: true, data: command[...]))
        #expect(first == nil, "a command announcing a data set waits for it")
        #expect(throws: DicomNetworkError(.oversizedDataSet)) {
            try assembler.add(PDV(contextID: 1, isCommand: false, isLast: false, data: [UInt8](repeating: 0, count: 51)[...]))
        }
    }
}
