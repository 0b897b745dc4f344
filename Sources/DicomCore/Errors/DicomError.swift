/// The one error type of DicomCore.
///
/// Compare errors by `code`; `offset` says where in the input the step failed and `detail` explains it for people.
/// Tests assert the code, never the message.
public struct DicomError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, named after the step that failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case truncated, readPreamble, invalidFileMeta, missingTransferSyntax, unsupportedTransferSyntax
            case invalidVR, invalidLength, lengthExceedsInput, nestingTooDeep, tooManyElements
            case unexpectedDelimiter, invalidItem, invalidValue, invalidCharacterSet, unencodableString
            case inflateFailed, deflateFailed, fileIO, invalidPixelData, frameOutOfRange, invalidTag
        }
        let base: Base
        init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The input ended inside an element, item or header.
        public static let truncated = Code(.truncated)
        /// The 128-byte preamble and `DICM` prefix could not be read.
        public static let readPreamble = Code(.readPreamble)
        /// File Meta Information (group 0002) is malformed.
        public static let invalidFileMeta = Code(.invalidFileMeta)
        /// No Transfer Syntax UID could be found or inferred.
        public static let missingTransferSyntax = Code(.missingTransferSyntax)
        /// The transfer syntax is known but this operation cannot handle it.
        public static let unsupportedTransferSyntax = Code(.unsupportedTransferSyntax)
        /// An explicit VR field holds bytes that are not a VR.
        public static let invalidVR = Code(.invalidVR)
        /// A length is odd where it must be even, or undefined where that is not allowed.
        public static let invalidLength = Code(.invalidLength)
        /// A length runs past the end of the input.
        public static let lengthExceedsInput = Code(.lengthExceedsInput)
        /// Sequences nest deeper than `ParseOptions.maximumDepth`.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// More elements than `ParseOptions.maximumElementCount`.
        public static let tooManyElements = Code(.tooManyElements)
        /// A delimiter appeared where it cannot.
        public static let unexpectedDelimiter = Code(.unexpectedDelimiter)
        /// A sequence holds something other than an item.
        public static let invalidItem = Code(.invalidItem)
        /// A value cannot be interpreted as its VR requires.
        public static let invalidValue = Code(.invalidValue)
        /// Specific Character Set names a set we do not know or a combination that is not allowed.
        public static let invalidCharacterSet = Code(.invalidCharacterSet)
        /// A string has characters the data set's character set cannot encode.
        public static let unencodableString = Code(.unencodableString)
        /// Deflated data could not be inflated.
        public static let inflateFailed = Code(.inflateFailed)
        /// Data could not be deflated.
        public static let deflateFailed = Code(.deflateFailed)
        /// Reading or writing a file failed.
        public static let fileIO = Code(.fileIO)
        /// Pixel Data is not shaped as its attributes say.
        public static let invalidPixelData = Code(.invalidPixelData)
        /// A frame number outside 1...Number of Frames.
        public static let frameOutOfRange = Code(.frameOutOfRange)
        /// A tag where it cannot be, such as an odd element order or a group length in the wrong place.
        public static let invalidTag = Code(.invalidTag)
    }

    /// What failed.
    public var code: Code
    /// Byte offset in the input where the failing step started, when known.
    public var offset: Int?
    /// A human explanation.
    public var detail: String
    /// Where in our source the error was made, for bug reports.
    public var location: String

    /// Makes an error.
    public init(_ code: Code, at offset: Int? = nil, _ detail: String = "", file: String = #fileID, line: Int = #line) {
        self.code = code
        self.offset = offset
        self.detail = detail
        self.location = "\(file):\(line)"
    }

    public var description: String {
        var s = "DicomError.\(code)"
        if let offset { s += " at offset \(offset)" }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    /// Errors compare by code only.
    public static func == (lhs: DicomError, rhs: DicomError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
