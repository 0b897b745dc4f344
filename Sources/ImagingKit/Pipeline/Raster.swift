/// A 2-D image of `channels` interleaved samples per pixel, row by row from the top-left corner.
///
/// `Raster<Float>` holds modality values, `Raster<UInt8>` rendered output (1 channel: grey, 3: RGB, 4: RGBA).
public struct Raster<Sample: Sendable>: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var samples: [Sample]

    public init(width: Int, height: Int, channels: Int = 1, samples: [Sample]) {
        precondition(samples.count == width * height * channels, "raster of \(width)x\(height)x\(channels) needs \(width * height * channels) samples")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    public init(width: Int, height: Int, channels: Int = 1, repeating value: Sample) {
        self.init(width: width, height: height, channels: channels, samples: [Sample](repeating: value, count: width * height * channels))
    }

    /// Sample `channel` of the pixel at column `x`, row `y`.
    @inlinable public subscript(x: Int, y: Int, channel: Int = 0) -> Sample {
        get { samples[(y * width + x) * channels + channel] }
        set { samples[(y * width + x) * channels + channel] = newValue }
    }

    /// True when (x, y) is a pixel of the raster.
    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }
}

extension Raster: Equatable where Sample: Equatable {}

/// A rendered image: 8-bit grey (1 channel) or RGBA (4 channels), sometimes RGB (3).
public typealias RenderedImage = Raster<UInt8>
