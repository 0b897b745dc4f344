import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Imports by uploading to a server's `POST /api/v1/instances` (`application/dicom`, one object per request), with
/// an access token from the OAuth 2.0 client-credentials grant (RFC 6749 §4.4). A token that expires mid-import is
/// fetched again once.
public final class HTTPUploadDestination: ImportDestination {
    public let server: URL
    public let clientId: String
    private let clientSecret: String
    private let session: URLSession
    private let tokens: TokenCache

    public var identity: String { server.absoluteString }

    /// `server` is the base URL (`https://films.example.org`); `connections` bounds the parallel uploads.
    public init(server: URL, clientId: String, clientSecret: String, connections: Int = 4) {
        self.server = server
        self.clientId = clientId
        self.clientSecret = clientSecret
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, connections)
        configuration.timeoutIntervalForRequest = 300
        session = URLSession(configuration: configuration)
        tokens = TokenCache()
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Fetches a token now, so that wrong credentials or a wrong URL fail before any file is read.
    public func authenticate() async throws(PlatformError) {
        _ = try await token(replacing: nil)
    }

    public func importFile(at url: URL) async throws -> IngestOutcome.Kind {
        let body: Data
        do { body = try Data(contentsOf: url) } catch { throw PlatformError(.notFound, "cannot read the file") }
        let current = try await token(replacing: nil)
        var (data, status) = try await upload(body, token: current)
        if status == 401 { (data, status) = try await upload(body, token: try await token(replacing: current)) }
        struct Item: Decodable { var status: String; var message: String? }
        struct Answer: Decodable { var items: [Item]? ; var message: String?; var error: String? }
        let answer = try? JSONDecoder().decode(Answer.self, from: data)
        switch status {
        case 200:
            switch answer?.items?.first?.status {
            case "stored": return .stored
            case "duplicate": return .duplicate
            default: throw PlatformError(.upstreamFailure, "the server answered 200 without an outcome")
            }
        case 413:
            throw PlatformError(.tooLarge, answer?.message ?? "the server refused the file as too large")
        case 400, 415, 422:
            throw PlatformError(.invalidDicom, answer?.message ?? answer?.items?.first?.message ?? "the server refused the file (HTTP \(status))")
        default:
            throw PlatformError(.upstreamFailure, "HTTP \(status)" + (answer?.message.map { ": \($0)" } ?? ""))
        }
    }

    private func upload(_ body: Data, token: String) async throws(PlatformError) -> (Data, Int) {
        var request = URLRequest(url: server.appendingPathComponent("api/v1/instances"))
        request.httpMethod = "POST"
        request.setValue("application/dicom", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = body
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws(PlatformError) -> (Data, Int) {
        do {
            let (data, response) = try await session.data(for: request)
            return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
        } catch {
            throw PlatformError(.upstreamFailure, "cannot reach \(server.absoluteString): \(error.localizedDescription)")
        }
    }

    /// The cached token, or a new one when there is none or `stale` (refused by the server) is still the cached one.
    private func token(replacing stale: String?) async throws(PlatformError) -> String {
        let fetch: @Sendable () async throws -> String = { [self] in try await self.requestToken() }
        do { return try await tokens.get(replacing: stale, fetch: fetch) } catch let error as PlatformError { throw error } catch {
            throw PlatformError(.upstreamFailure, String(describing: error))
        }
    }

    private func requestToken() async throws(PlatformError) -> String {
        var request = URLRequest(url: server.appendingPathComponent("oauth/token"))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
        let credentials = "\(Self.formEncode(clientId)):\(Self.formEncode(clientSecret))"
        request.setValue("Basic \(Data(credentials.utf8).base64EncodedString())", forHTTPHeaderField: "Authorization")
        request.httpBody = Data("grant_type=client_credentials&scope=api".utf8)
        let (data, status) = try await send(request)
        struct Answer: Decodable { var access_token: String?; var error: String?; var error_description: String? }
        let answer = try? JSONDecoder().decode(Answer.self, from: data)
        guard status == 200, let token = answer?.access_token else {
            let reason = answer?.error_description ?? answer?.error ?? "HTTP \(status)"
            throw PlatformError(status == 401 || status == 400 ? .unauthenticated : .upstreamFailure,
                                "the server refused the client credentials of \(clientId): \(reason)")
        }
        return token
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Holds the current access token; concurrent callers share one fetch, and uploads that all see the same token
/// expire renew it once.
actor TokenCache {
    private var token: String?
    private var inFlight: Task<String, any Error>?

    func get(replacing stale: String?, fetch: @escaping @Sendable () async throws -> String) async throws -> String {
        if let inFlight { return try await inFlight.value }
        if let token, token != stale { return token }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        let value = try await task.value
        token = value
        return value
    }
}
