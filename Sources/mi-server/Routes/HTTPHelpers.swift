import Foundation
import Hummingbird
import PlatformServices

/// JSON responses with the encoder settings every route shares.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes `value` as the response body.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// Bytes as a response.
func bytesResponse(_ bytes: [UInt8], contentType: String, headers: HTTPFields = [:]) -> Response {
    var fields = headers
    fields[.contentType] = contentType
    fields[.contentLength] = String(bytes.count)
    return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}

/// Reads query parameters with checks: a bad value is a 400 naming the parameter.
struct QueryReader {
    let request: Request

    func string(_ name: String) -> String? {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badParameter(name, "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else { throw APIError.badParameter(name, "must be a number") }
        return value
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = E(rawValue: text) else {
            throw APIError.badParameter(name, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A calendar date `YYYY-MM-DD` that exists.
    func date(_ name: String) throws -> String? {
        guard let text = string(name) else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1,
              d <= [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] else {
            throw APIError.badParameter(name, "must be a date YYYY-MM-DD")
        }
        return text
    }

    /// Epoch seconds from a date (start of day, UTC) or a full ISO 8601 timestamp.
    func instant(_ name: String, endOfDay: Bool = false) throws -> Int64? {
        guard let text = string(name) else { return nil }
        if text.count == 10, let day = try date(name) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = day.split(separator: "-").compactMap { Int($0) }
            let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
            return Int64(start.timeIntervalSince1970) + (endOfDay ? 86_399 : 0)
        }
        guard let epoch = APITime.parse(text) else {
            throw APIError.badParameter(name, "must be YYYY-MM-DD or an ISO 8601 timestamp")
        }
        return epoch
    }
}

/// `application/x-www-form-urlencoded` bodies as a dictionary (the OAuth endpoints and the login form).
enum FormBody {
    static func read(_ request: Request, context: AppRequestContext) async throws -> [String: String] {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType, "invalid_request", "the body must be application/x-www-form-urlencoded")
        }
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            // A repeated parameter is an error in OAuth (RFC 6749 §3.1); keep the first and let validation decide.
            if result[name] == nil { result[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return result
    }
}

/// JSON bodies with a size cap (uploads of DICOM objects have their own, larger one).
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = 256 * 1024) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "the body must be application/json")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(limit) bytes")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: buffer)) } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_body", ErrorMiddleware.describe(error))
        }
    }
}

/// HTTP Basic credentials (RFC 7617), form-decoded as RFC 6749 §2.3.1 asks of client credentials.
func basicCredentials(_ request: Request) -> (user: String, password: String)? {
    guard let header = request.headers[.authorization], header.count > 6, header.prefix(6).lowercased() == "basic ",
          let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
          let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
    let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
    return (decode(text[..<colon]), decode(text[text.index(after: colon)...]))
}
