import Crypto
import DicomCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import PlatformServices
@testable import mi_server

/// A server on a fresh SQLite database with two hospitals, the demo's kinds of accounts and clients, and one study
/// per hospital; and helpers that speak OAuth to it the way clients do.
struct TestServer {
    let platform: Platform
    let folder: URL
    let integrationSecret: String
    /// Study of hospital h1 (张三) and of h2 (李四).
    let studyH1: String
    let studyH2: String
    let instanceH1: String
    let instanceH2: String
    static let redirect = "http://localhost:8080/app/callback"
    static let passwords = ["admin": "Admin#2026x", "doctor": "Doctor#2026x", "doctor2": "Doctor#2026y", "patient": "Patient#2026x"]

    static func make() async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-server-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = ServerConfig()
        config.database = "sqlite:" + folder.appendingPathComponent("index.sqlite").path
        config.storage = folder.appendingPathComponent("storage").path
        config.publicURL = "http://localhost:8080"
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let platform = try await Platform.open(config, hasher: PasswordHasher(cost: 4), logger: logger)
        do {
            let store = platform.store
            try await store.upsertHospital(id: "h1", name: "演示总医院", aliases: ["Demo General Hospital"], departments: ["放射科"])
            try await store.upsertHospital(id: "h2", name: "演示东院", aliases: ["Demo East Campus"], departments: ["放射科"])
            _ = try await store.registerClient(clientId: "mi-web", name: "Web", confidential: false, redirectURIs: [redirect],
                                               grantTypes: [.authorizationCode, .refreshToken])
            let (_, secret) = try await store.registerClient(clientId: "mi-integration", name: "RIS", confidential: true, redirectURIs: [],
                                                             grantTypes: [.clientCredentials], roles: [.integration])
            try await store.createUser(username: "admin", password: passwords["admin"]!, name: "Admin", roles: [.administrator], hospitalId: "h1")
            try await store.createUser(username: "doctor", password: passwords["doctor"]!, name: "Dr H1", roles: [.doctor], scope: .hospital("h1"),
                                       hospitalId: "h1")
            try await store.createUser(username: "doctor2", password: passwords["doctor2"]!, name: "Dr All", roles: [.doctor], scope: .all,
                                       hospitalId: "h2")
            var h1 = TestImage(); h1.patientName = "Zhang^San=张^三"; h1.patientID = "P1"; h1.institution = "Demo General Hospital"
            var h2 = TestImage(); h2.patientName = "Li^Si=李^四"; h2.patientID = "P2"; h2.institution = "演示东院"
            _ = try await store.ingest(bytes: try h1.bytes(), source: "test")
            _ = try await store.ingest(bytes: try h2.bytes(), source: "test")
            try await store.createUser(username: "patient", password: passwords["patient"]!, name: "张三", roles: [.patient],
                                       scope: .patient(patientKey: "h1/P1"), hospitalId: "h1", patientKey: "h1/P1")
            return TestServer(platform: platform, folder: folder, integrationSecret: secret!, studyH1: h1.studyUID, studyH2: h2.studyUID,
                              instanceH1: h1.sopUID, instanceH2: h2.sopUID)
        } catch {
            await platform.store.database.close()
            throw error
        }
    }

    /// Runs `body` with a router test client, closing the database afterwards.
    static func with<T: Sendable>(_ body: @escaping @Sendable (TestServer, any TestClientProtocol) async throws -> T) async throws -> T {
        let server = try await make()
        let app = Application(router: buildRouter(server.platform))
        do {
            let result = try await app.test(.router) { client in try await body(server, client) }
            await server.platform.store.database.close()
            return result
        } catch {
            await server.platform.store.database.close()
            throw error
        }
    }

    // MARK: OAuth as clients do it

    static func form(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return ByteBuffer(string: body)
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func pkce() -> (verifier: String, challenge: String) {
        let verifier = SecureRandom.token(bytes: 32)
        return (verifier, Base64URL.encode(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func query(_ location: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: location)?.queryItems ?? [] { result[item.name] = item.value }
        return result
    }

    /// Posts the login form of `/oauth/authorize`; returns the response.
    static func submitLogin(_ client: any TestClientProtocol, username: String, password: String, challenge: String,
                            state: String = "s1", scope: String = "openid offline_access api") async throws -> TestResponse {
        try await client.execute(uri: "/oauth/authorize", method: .post, headers: formHeaders, body: form([
            "response_type": "code", "client_id": "mi-web", "redirect_uri": redirect, "scope": scope, "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256", "username": username, "password": password,
        ]))
    }

    /// Logs in through the code flow with PKCE; returns the token response.
    static func login(_ client: any TestClientProtocol, _ username: String, password: String? = nil) async throws -> TokenResponse {
        let (verifier, challenge) = pkce()
        let response = try await submitLogin(client, username: username, password: password ?? passwords[username]!, challenge: challenge)
        guard response.status == .found, let location = response.headers[.location], let code = query(location)["code"] else {
            throw TestFailure("login of \(username) failed: \(response.status) \(String(buffer: response.body).prefix(300))")
        }
        let token = try await client.execute(uri: "/oauth/token", method: .post, headers: formHeaders, body: form([
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "mi-web", "code_verifier": verifier,
        ]))
        guard token.status == .ok else { throw TestFailure("token exchange failed: \(token.status) \(String(buffer: token.body))") }
        return try JSONDecoder().decode(TokenResponse.self, from: Data(buffer: token.body))
    }

    func integrationToken(_ client: any TestClientProtocol) async throws -> String {
        let response = try await client.execute(uri: "/oauth/token", method: .post, headers: Self.basic("mi-integration", integrationSecret),
                                                body: Self.form(["grant_type": "client_credentials"]))
        guard response.status == .ok else { throw TestFailure("client credentials failed: \(response.status)") }
        return try JSONDecoder().decode(TokenResponse.self, from: Data(buffer: response.body)).accessToken
    }

    static func basic(_ user: String, _ password: String) -> HTTPFields {
        [.contentType: "application/x-www-form-urlencoded",
         .authorization: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A tiny CT image for route tests.
struct TestImage {
    var studyUID = UIDGenerator.make()
    var seriesUID = UIDGenerator.make()
    var sopUID = UIDGenerator.make()
    var patientID = "P1"
    var patientName = "Zhang^San"
    var institution = "Demo General Hospital"
    var accession = "ACC1"
    var instanceNumber = 1
    /// The 2x2 signed 16-bit pixels (little endian); fewer bytes make an image that cannot be decoded.
    var pixels: [UInt8] = [0x00, 0x04, 0x10, 0x00, 0xA9, 0x00, 0xFF, 0xFF]

    func bytes() throws -> [UInt8] {
        var d = DataSet(characterSet: .utf8)
        try d.setStrings(["ISO_IR 192"], for: .specificCharacterSet)
        try d.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try d.setString(sopUID, for: .sopInstanceUID)
        try d.setString("20261115", for: .studyDate)
        try d.setString(accession, for: .accessionNumber)
        try d.setString("CT", for: .modality)
        try d.setString(institution, for: Tag(0x0008, 0x0080))
        try d.setString(patientName, for: .patientName)
        try d.setString(patientID, for: .patientID)
        try d.setString(studyUID, for: .studyInstanceUID)
        try d.setString(seriesUID, for: .seriesInstanceUID)
        try d.setInts([instanceNumber], for: .instanceNumber)
        try d.setInts([1], for: .samplesPerPixel)
        try d.setString("MONOCHROME2", for: .photometricInterpretation)
        try d.setInts([2], for: .rows)
        try d.setInts([2], for: .columns)
        try d.setInts([16], for: .bitsAllocated)
        try d.setInts([16], for: .bitsStored)
        try d.setInts([15], for: .highBit)
        try d.setInts([1], for: .pixelRepresentation)
        try d.setString("-1024", for: Tag(0x0028, 0x1052))
        try d.setString("1", for: Tag(0x0028, 0x1053))
        d.set(DataElement(tag: .pixelData, vr: .OW, bytes: pixels))
        return try DicomFile(dataSet: d, transferSyntax: .explicitVRLittleEndian).encoded()
    }
}
