/// Choices of the writer, in one value.
public struct WriteOptions: Sendable, Hashable {
    /// What to do with group length elements `(gggg,0000)` outside the File Meta group (which always has one).
    public enum GroupLengths: Sendable, Hashable {
        /// Keep those present, with their values recomputed for the target encoding.
        case recomputePresent
        /// Drop them: PS3.5 §7.2 retires them, and most writers leave them out.
        case remove
    }

    /// How sequences and items are delimited.
    public enum SequenceLengths: Sendable, Hashable {
        /// As they were read (undefined or defined): a canonical input round-trips byte for byte.
        case asRead
        /// Undefined length with delimiters everywhere, as DCMTK writes by default.
        case undefined
        /// Explicit lengths everywhere.
        case defined
    }

    public var groupLengths: GroupLengths = .recomputePresent
    public var sequenceLengths: SequenceLengths = .asRead

    public static let `default` = WriteOptions()

    public init(groupLengths: GroupLengths = .recomputePresent, sequenceLengths: SequenceLengths = .asRead) {
        self.groupLengths = groupLengths
        self.sequenceLengths = sequenceLengths
    }
}
