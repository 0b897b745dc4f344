import DicomCore
import Foundation
import ImagingKit

/// Frames for the viewer and rendered previews, read from stored originals.
public struct PixelService: Sendable {
    public let store: PlatformStore
    /// Frames already encoded for the viewer, gzip-ready.
    public let wireCache: WireFrameCache

    /// A service reading `store`'s originals and keeping recently served viewer frames in `wireCache`.
    public init(store: PlatformStore, wireCache: WireFrameCache = WireFrameCache()) {
        self.store = store
        self.wireCache = wireCache
    }

    /// Reads and parses a stored instance (whole file: pixels are needed).
    func file(_ instance: StoredInstance) async throws -> DicomFile {
        let bytes = try await store.blobs.get(instance.storageKey)
        do { return try DicomFile(bytes: bytes) } catch {
            throw PlatformError(.invalidDicom, "stored object \(instance.sopInstanceUID) is unreadable: \(error)")
        }
    }

    /// Decodes frame `number` (1-based, as DICOMweb numbers them) of a visible instance.
    public func decodedFrame(_ instance: StoredInstance, number: Int) async throws -> DecodedFrame {
        guard number >= 1, number <= instance.frameCount else {
            throw PlatformError.invalid("frame", "frame must be between 1 and \(instance.frameCount)")
        }
        let file = try await self.file(instance)
        do {
            var frame = try file.decodedFrame(number - 1)
            // Colour in YBR goes out as RGB: the wire format has no colour transform.
            if frame.descriptor.samplesPerPixel == 3, frame.descriptor.photometricInterpretation.hasPrefix("YBR_FULL"), frame.descriptor.bytesPerSample == 1 {
                var raster = Raster<Int32>(width: frame.descriptor.columns, height: frame.descriptor.rows, channels: 3,
                                           samples: frame.bytes.map { Int32($0) })
                ColorConversion.ybrFullToRGB(&raster)
                frame.bytes = raster.samples.map { UInt8(clamping: $0) }
                frame.descriptor.photometricInterpretation = "RGB"
            }
            return frame
        } catch {
            throw PlatformError(.invalidDicom, "frame \(number) cannot be decoded: \(error)")
        }
    }

    /// The frame in the viewer's wire format (`FrameWireEncoder`), not yet gzip'd; `packed` for the packed payload
    /// (clients that ask for it), planar otherwise.
    public func wireFrame(_ instance: StoredInstance, number: Int, packed: Bool = false) async throws -> [UInt8] {
        let frame = try await decodedFrame(instance, number: number)
        do { return try FrameWireEncoder.encode(frame, packed: packed) } catch {
            throw PlatformError(.invalidDicom, "frame \(number) cannot be encoded: \(error)")
        }
    }

    /// The frame in the viewer's wire format as a gzip piece (`Gzip.join` makes it a body), from the cache when
    /// it was served before (with the same `packed`), or from the same read and decode as a request for it that is
    /// still being answered.
    public func wirePiece(_ instance: StoredInstance, number: Int, packed: Bool = false) async throws -> Gzip.Piece {
        try await wireCache.piece(WireFrameCache.Key(instance, frame: number, packed: packed)) {
            try Gzip.Piece(try await self.wireFrame(instance, number: number, packed: packed))
        }
    }

    /// Several frames as gzip pieces in the order asked, those not cached read, decoded and encoded concurrently
    /// (at most one per core: a batch is CPU-bound); `packed` as for `wirePiece`.
    public func wirePieces(_ frames: [(instance: StoredInstance, number: Int)], packed: Bool = false) async throws -> [Gzip.Piece] {
        var pieces: [Gzip.Piece] = []
        pieces.reserveCapacity(frames.count)
        try await wirePieces(frames, packed: packed) { _, piece in pieces.append(piece) }
        return pieces
    }

    /// `wirePieces`, each piece handed to `deliver` (with its index) as soon as it and those before it are ready, in
    /// the order asked, so that an answer can be sent while later frames are still being encoded. A frame that fails
    /// stops it: the pieces before it have been delivered, and its error is thrown (as is one `deliver` throws).
    public func wirePieces(_ frames: [(instance: StoredInstance, number: Int)], packed: Bool = false,
                           deliver: (Int, Gzip.Piece) async throws -> Void) async throws {
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        try await withThrowingTaskGroup(of: (Int, Result<Gzip.Piece, any Error>).self) { group in
            var ready: [Int: Result<Gzip.Piece, any Error>] = [:]
            var next = 0, started = 0
            func start() {
                let (i, item) = (started, frames[started])
                group.addTask {
                    do { return (i, .success(try await wirePiece(item.instance, number: item.number, packed: packed))) } catch { return (i, .failure(error)) }
                }
                started += 1
            }
            while started < frames.count, started < width { start() }
            while let (i, result) = try await group.next() {
                ready[i] = result
                // In order: a failed frame ends it only when the frames before it are out.
                while let result = ready.removeValue(forKey: next) {
                    try await deliver(next, try result.get())
                    next += 1
                }
                if started < frames.count { start() }
            }
        }
    }

    /// Options for a rendered preview.
    public struct RenderOptions: Sendable, Hashable {
        public enum Format: String, Sendable, CaseIterable { case png, jpeg }
        public var format: Format = .jpeg
        /// Window centre/width in modality units; the file's first window (or auto) when nil.
        public var window: (center: Double, width: Double)?
        /// Longest side in pixels; the image is scaled down to fit, never up.
        public var size: Int?
        public var quality = 85
        public init() {}
        public static func == (a: Self, b: Self) -> Bool {
            a.format == b.format && a.window?.center == b.window?.center && a.window?.width == b.window?.width && a.size == b.size && a.quality == b.quality
        }
        public func hash(into h: inout Hasher) { h.combine(format); h.combine(size); h.combine(quality); h.combine(window?.center); h.combine(window?.width) }
    }

    /// A PNG or JPEG preview through ImagingKit's pipeline.
    public func rendered(_ instance: StoredInstance, number: Int, options: RenderOptions) async throws -> [UInt8] {
        let file = try await self.file(instance)
        guard number >= 1, number <= instance.frameCount else {
            throw PlatformError.invalid("frame", "frame must be between 1 and \(instance.frameCount)")
        }
        do {
            var pipeline = try RenderPipeline(file.dataSet, frame: number - 1)
            if let window = options.window {
                guard window.width > 0 else { throw PlatformError.invalid("window", "window width must be positive") }
                pipeline.voi = .window(Window(center: window.center, width: window.width))
            }
            var image = try pipeline.render(decoded: file.decodedFrame(number - 1))
            if let size = options.size {
                guard (16...4096).contains(size) else { throw PlatformError.invalid("size", "size must be 16–4096") }
                let longest = max(image.width, image.height)
                if longest > size {
                    let scale = Double(size) / Double(longest)
                    image = image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                                          height: max(1, Int((Double(image.height) * scale).rounded())), interpolation: .bilinear)
                }
            }
            switch options.format {
            case .png: return try PNGEncoder.encode(image)
            case .jpeg: return try JPEGEncoder.encode(image, quality: options.quality)
            }
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.invalidDicom, "frame \(number) cannot be rendered: \(error)")
        }
    }
}
