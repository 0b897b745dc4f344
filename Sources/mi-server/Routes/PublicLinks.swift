import Foundation
import Hummingbird
import ImagingKit
import PlatformServices

/// Absolute links handed to patients and share recipients, and their QR codes.
enum PublicLinks {
    /// The base URL for links: the configured public URL, else the scheme, host and port this request came to
    /// (the Host header, checked to be a host name or address with an optional port), else the listen address.
    static func base(_ request: Request, config: ServerConfig) -> String {
        if config.publicURL != nil { return config.baseURL }
        let scheme = request.head.scheme.flatMap { ["http", "https"].contains($0.lowercased()) ? $0.lowercased() : nil }
            ?? (config.tls == nil ? "http" : "https")
        if let host = request.head.authority ?? request.headers[.init("Host")!], isSafeAuthority(host) {
            return "\(scheme)://\(host)"
        }
        return config.baseURL
    }

    /// Letters, digits, '.', '-', ':' and brackets (IPv6), at most 255 characters: nothing that could change the URL.
    static func isSafeAuthority(_ host: String) -> Bool {
        !host.isEmpty && host.count <= 255 && host.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D || c == 0x3A || c == 0x5B || c == 0x5D
        }
    }

    /// The patient link for a QR token: `/p/{token}` (short, so the QR code stays small).
    static func patientLink(base: String, token: String) -> String { "\(base)/p/\(token)" }

    /// The share link: `/s/{token}`.
    static func shareLink(base: String, token: String) -> String { "\(base)/s/\(token)" }

    /// A QR code for `url` as PNG (base64 for JSON) and SVG.
    struct Images: Encodable {
        var png: String
        var svg: String
    }

    static func qrCode(_ url: String, errorCorrection: QRErrorCorrection = .medium) throws -> QRCode {
        do { return try QRCode(encoding: url, errorCorrection: errorCorrection) } catch {
            throw APIError(.internalServerError, "server_error", "the QR code could not be made")
        }
    }

    static func images(_ code: QRCode, scale: Int = 8, quietZone: Int = 4) throws -> Images {
        do {
            return Images(png: Data(try code.png(scale: scale, quietZone: quietZone)).base64EncodedString(), svg: code.svg(quietZone: quietZone))
        } catch {
            throw APIError(.internalServerError, "server_error", "the QR code could not be drawn")
        }
    }
}
