/// The one error type of PlatformServices.
///
/// Compare errors by `code`; `detail` explains the failure for people and `location` says where in our source it was
/// made. Tests assert the code, never the message.
///
/// ```swift
/// do { _ = try DemoStudies.generate(into: folder) }
/// catch where error.code == .writeFile { print(error.detail) }
/// ```
public struct PlatformServicesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, named after the step that failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case createFolder, writeFile, encodeDicom
        }
        let base: Base
        init(_ base: Base) { self.base = base }
        /// The code's name, as in `PlatformServicesError.writeFile`.
        public var description: String { base.rawValue }

        /// A folder could not be created.
        public static let createFolder = Code(.createFolder)
        /// A file could not be written.
        public static let writeFile = Code(.writeFile)
        /// A DICOM data set could not be built or encoded (the underlying `DicomError` is in the detail).
        public static let encodeDicom = Code(.encodeDicom)
    }

    /// What failed.
    public var code: Code
    /// A human explanation.
    public var detail: String
    /// Where in our source the error was made, for bug reports.
    public var location: String

    /// Makes an error.
    public init(_ code: Code, _ detail: String = "", file: String = #fileID, line: Int = #line) {
        self.code = code
        self.detail = detail
        self.location = "\(file):\(line)"
    }

    /// The code, the detail and the location.
    public var description: String {
        "PlatformServicesError.\(code): \(detail) (\(location))"
    }

    /// Errors compare by code only.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only, in step with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
