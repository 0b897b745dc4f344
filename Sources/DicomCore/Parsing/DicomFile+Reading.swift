import Foundation

extension DicomFile {
    /// What a read produced when it could not finish: everything read before the failure, and the failure.
    public struct PartialRead: Sendable {
        /// The file as far as it could be read; nil when not even the header could be read.
        public var file: DicomFile?
        /// Why the read stopped; nil when it finished.
        public var error: DicomError?
        /// Offset at which the data set starts in the input (after File Meta Information), for error reports.
        public var dataSetOffset: Int
        /// The read ended at `ParseOptions.stopBefore`, not at the end of the input.
        var stoppedBeforeTag = false
    }

    /// Reads a Part 10 file or a bare data set from memory.
    ///
    /// Accepts a preamble with `DICM`, File Meta Information without a preamble, or a bare data set in any
    /// uncompressed syntax (the syntax is inferred from the first element).
    public init(bytes: [UInt8], options: ParseOptions = .default) throws(DicomError) {
        let result = DicomFile.readPartial(bytes: bytes, options: options)
        if let error = result.error { throw error }
        self = result.file!
    }

    /// Reads a file from disk. With `options.stopBefore` set (see `ParseOptions.headerOnly`), only the start of the
    /// file is read when that is enough.
    public static func read(contentsOf path: String, options: ParseOptions = .default) throws(DicomError) -> DicomFile {
        let result = readPartial(contentsOf: path, options: options)
        if let error = result.error { throw error }
        return result.file!
    }

    /// Reads a file from disk, keeping what could be read when the file is truncated or malformed.
    public static func readPartial(contentsOf path: String, options: ParseOptions = .default) -> PartialRead {
        do {
            if options.stopBefore != nil {
                // Most headers fit in a few KiB: try growing prefixes before reading the whole file.
                for chunk in [16 * 1024, 256 * 1024] {
                    let (prefix, total) = try FileBytes.read(path: path, maximum: chunk)
                    guard prefix.count < total else { break }
                    let first = readPartial(bytes: prefix, options: options)
                    if first.error == nil && first.stoppedBeforeTag { return first }
                }
            }
            let (all, _) = try FileBytes.read(path: path, maximum: nil)
            return readPartial(bytes: all, options: options)
        } catch {
            return PartialRead(file: nil, error: error, dataSetOffset: 0)
        }
    }

    /// Reads from memory, keeping what could be read.
    public static func readPartial(bytes: [UInt8], options: ParseOptions = .default) -> PartialRead {
        var position = 0
        var preamble: [UInt8]? = nil
        if bytes.count >= 132 && bytes[128] == 0x44 && bytes[129] == 0x49 && bytes[130] == 0x43 && bytes[131] == 0x4D {
            preamble = Array(bytes[0..<128])
            position = 132
        } else if bytes.count >= 4 && bytes[0] == 0x44 && bytes[1] == 0x49 && bytes[2] == 0x43 && bytes[3] == 0x4D {
            position = 4
        }

        let parser = DataSetParser(bytes: bytes, position: position, options: options)
        var meta = DataSet()
        // File Meta Information is Explicit VR Little Endian (PS3.10 §7.1); some writers use implicit VR anyway.
        if let tag = parser.peekTag(.init(explicitVR: true, bigEndian: false), end: bytes.count), tag.group == 0x0002 {
            let metaEncoding = DataSetParser.Encoding(explicitVR: parser.looksExplicit(at: position), bigEndian: false)
            var metaOptions = options
            metaOptions.stopBefore = nil
            var metaParser = DataSetParser(bytes: bytes, position: position, options: metaOptions)
            do {
                try metaParser.parseGroup2(into: &meta, enc: metaEncoding)
            } catch {
                let file = DicomFile(preamble: preamble, fileMetaInformation: meta, dataSet: DataSet(), transferSyntax: .explicitVRLittleEndian)
                return PartialRead(file: file, error: DicomError(.invalidFileMeta, at: error.offset, error.detail), dataSetOffset: metaParser.position)
            }
            position = metaParser.position
        } else if preamble != nil, bytes.count == 132 {
            return PartialRead(file: nil, error: DicomError(.truncated, at: 132, "file ends after the DICM prefix"), dataSetOffset: 132)
        } else if preamble == nil && bytes.count < 8 {
            return PartialRead(file: nil, error: DicomError(.readPreamble, at: 0, "\(bytes.count) bytes are not a DICOM file"), dataSetOffset: 0)
        }

        // The transfer syntax: from the meta, else inferred from the first element.
        var syntax: TransferSyntax
        if let uid = meta.string(.transferSyntaxUID), !uid.isEmpty {
            syntax = TransferSyntax(uid: uid)
        } else {
            guard let inferred = DicomFile.inferSyntax(bytes, at: position, bare: preamble == nil && meta.isEmpty) else {
                let file = DicomFile(preamble: preamble, fileMetaInformation: meta, dataSet: DataSet(), transferSyntax: .implicitVRLittleEndian)
                if position >= bytes.count && !(preamble == nil && meta.isEmpty) { return PartialRead(file: file, error: nil, dataSetOffset: position) }
                if preamble == nil && meta.isEmpty {
                    return PartialRead(file: nil, error: DicomError(.readPreamble, at: 0, "no DICM prefix, no File Meta Information, and the bytes do not start a data set"), dataSetOffset: 0)
                }
                return PartialRead(file: file, error: DicomError(.missingTransferSyntax, at: position, "no Transfer Syntax UID and the data set's encoding cannot be recognised"), dataSetOffset: position)
            }
            syntax = inferred
        }

        var dataBytes = bytes
        var dataStart = position
        if syntax.isDeflated {
            do {
                dataBytes = try Deflate.inflate(bytes[position...], limit: options.maximumInflatedSize)
                dataStart = 0
            } catch {
                let file = DicomFile(preamble: preamble, fileMetaInformation: meta, dataSet: DataSet(), transferSyntax: syntax)
                return PartialRead(file: file, error: DicomError(error.code, at: position, error.detail), dataSetOffset: position)
            }
        }

        // Writers that declare one VR encoding and use the other are common; trust the bytes, as pydicom and DCMTK do.
        var enc = DataSetParser.Encoding(explicitVR: syntax.isExplicitVR, bigEndian: syntax.isBigEndian)
        var probe = DataSetParser(bytes: dataBytes, position: dataStart, options: options)
        if dataBytes.count - dataStart >= 8, let tag = probe.peekTag(enc, end: dataBytes.count), tag.group != 0xFFFE {
            let explicitLooking = probe.looksExplicit(at: dataStart)
            if enc.explicitVR != explicitLooking {
                enc.explicitVR = explicitLooking
            }
        }

        probe = DataSetParser(bytes: dataBytes, position: dataStart, options: options)
        var dataSet = DataSet()
        let context = DataSetParser.Context(transferSyntaxIsImplicit: !syntax.isExplicitVR)
        var failure: DicomError? = nil
        do {
            try probe.parseDataSet(into: &dataSet, end: dataBytes.count, delimited: false, depth: 0, enc: enc, context: context)
        } catch {
            failure = error
            if syntax.isDeflated { failure?.detail += " (offset in the inflated data set)" }
        }
        let file = DicomFile(preamble: preamble, fileMetaInformation: meta, dataSet: dataSet, transferSyntax: syntax)
        var result = PartialRead(file: file, error: failure, dataSetOffset: position)
        result.stoppedBeforeTag = probe.stoppedBeforeTag
        return result
    }

    /// Infers the syntax of a bare data set from its first element: byte order from the group number, VR style from the bytes after the tag.
    static func inferSyntax(_ bytes: [UInt8], at p: Int, bare: Bool) -> TransferSyntax? {
        guard bytes.count - p >= 8 else { return nil }
        let explicit = VR(bytes[p + 4], bytes[p + 5]) != nil
        let groupLE = UInt16(bytes[p + 1]) << 8 | UInt16(bytes[p])
        let groupBE = UInt16(bytes[p]) << 8 | UInt16(bytes[p + 1])
        // Data sets start with a low group (0008 typically); a big-endian writer puts the zero byte first.
        if explicit && groupBE < groupLE && (groupBE >= 0x0008 || !bare) { return .explicitVRBigEndian }
        // Without a preamble or meta to vouch for it, group 0000 (network commands) or 0001-0007 (reserved)
        // first means these bytes are not a stored data set.
        guard groupLE >= 0x0008 || !bare else { return nil }
        return explicit ? .explicitVRLittleEndian : .implicitVRLittleEndian
    }
}

extension DataSetParser {
    /// Parses the File Meta group: elements while the group is 0002. The group length is not trusted for the end,
    /// because writers get it wrong; it is kept as an element.
    mutating func parseGroup2(into meta: inout DataSet, enc: Encoding) throws(DicomError) {
        while let tag = peekTag(enc, end: bytes.count), tag.group == 0x0002 {
            var one = DataSet()
            let before = position
            try parseDataSet(into: &one, end: min(bytes.count, nextGroup2End(enc: enc)), delimited: false, depth: 0, enc: enc, context: Context())
            for e in one { meta.append(e) }
            if position == before { break }
        }
    }

    /// The end of the next element of group 0002, so that the meta is parsed one element at a time.
    private func nextGroup2End(enc: Encoding) -> Int {
        var p = position + 4
        guard bytes.count - p >= 4 else { return bytes.count }
        var length: Int
        if enc.explicitVR, let vr = VR(bytes[p], bytes[p + 1]) {
            if vr.hasLongExplicitLength {
                guard bytes.count - p >= 8 else { return bytes.count }
                length = Int(UInt32(bytes[p + 4]) | UInt32(bytes[p + 5]) << 8 | UInt32(bytes[p + 6]) << 16 | UInt32(bytes[p + 7]) << 24)
                p += 8
            } else {
                length = Int(UInt16(bytes[p + 2]) | UInt16(bytes[p + 3]) << 8)
                p += 4
            }
        } else {
            length = Int(UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24)
            p += 4
        }
        if length == 0xFFFF_FFFF { return bytes.count }
        return min(bytes.count, p + length)
    }
}

/// Reading files through Foundation, which exists wherever Swift runs.
enum FileBytes {
    /// The first `maximum` bytes of the file (all when nil), and the file's size.
    static func read(path: String, maximum: Int?) throws(DicomError) -> ([UInt8], Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DicomError(.fileIO, "cannot open \(path)")
        }
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let want = maximum.map { min($0, size) } ?? size
            let data = try handle.read(upToCount: want) ?? Data()
            return ([UInt8](data), size)
        } catch {
            throw DicomError(.fileIO, "cannot read \(path): \(error)")
        }
    }
}

extension DicomFile {
    /// Reads a file up to (not including) the first top-level element at or after `tag`: the fast path for indexing.
    ///
    /// ```swift
    /// let header = try DicomFile.read(contentsOf: path, upTo: .pixelData)
    /// ```
    public static func read(contentsOf path: String, upTo tag: Tag) throws(DicomError) -> DicomFile {
        var options = ParseOptions.default
        options.stopBefore = tag
        return try read(contentsOf: path, options: options)
    }
}
