import DicomCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import mi_server
@testable import PlatformServices

/// A server on a temporary SQLite database with two hospitals, 张三's two exams (a CT with a PDF report, and an
/// older MR), another patient's exam, a doctor at each hospital, an administrator, a patient account, and an
/// integration client; tokens made the way the OAuth endpoints make them.
struct PatientAccessFixture: Sendable {
    let platform: Platform
    let folder: URL
    /// 张三 (h1/P1): CT 2026-11-15 with a report, accession A1.
    let ct: PatientFixtureInstance
    /// 张三's earlier MR, 2026-10-01, accession A0.
    let mr: PatientFixtureInstance
    /// 李四 (h1/P2): a CT, accession B1.
    let other: PatientFixtureInstance
    let reportID: String
    var store: PlatformStore { platform.store }

    static let publicURL = "https://films.example.org"

    static func make(publicURL: String? = Self.publicURL) async throws -> PatientAccessFixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mi-patient-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = ServerConfig()
        config.database = "sqlite:" + folder.appendingPathComponent("index.sqlite").path
        config.storage = folder.appendingPathComponent("storage").path
        config.publicURL = publicURL
        config.listen = .init(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "patient-routes")
        logger.logLevel = .warning
        let platform = try await Platform.open(config, hasher: PasswordHasher(cost: 4), logger: logger)
        let store = platform.store
        try await store.upsertHospital(id: "h1", name: "演示总医院", aliases: ["Demo General Hospital"], departments: ["放射科"])
        try await store.upsertHospital(id: "h2", name: "演示东院", aliases: ["Demo East Campus"], departments: ["放射科"])
        let ct = PatientFixtureInstance()
        var mr = PatientFixtureInstance()
        mr.accessionNumber = "A0"
        mr.modality = "MR"
        mr.studyDate = "20261001"
        var other = PatientFixtureInstance()
        other.patientID = "P2"
        other.patientName = "Li^Si=李^四"
        other.accessionNumber = "B1"
        for instance in [ct, mr, other] { _ = try await store.ingest(bytes: try instance.bytes(), source: "test") }
        let report = try await store.attachReport(studyUID: ct.studyUID, pdf: patientFixturePDF, text: "", title: "CT 报告", author: "王医生", source: "test")
        _ = try await store.registerClient(clientId: "mi-web", name: "web", confidential: false, redirectURIs: ["http://localhost/app/callback"],
                                           grantTypes: [.authorizationCode, .refreshToken])
        _ = try await store.registerClient(clientId: "mi-integration", name: "RIS", confidential: true, redirectURIs: [],
                                           grantTypes: [.clientCredentials], roles: [.integration])
        try await store.createUser(username: "doctor", password: "Doctor#2026", name: "王医生", roles: [.doctor], scope: .hospital("h1"), hospitalId: "h1")
        try await store.createUser(username: "east", password: "Doctor#2026", name: "东院医生", roles: [.doctor], scope: .hospital("h2"), hospitalId: "h2")
        try await store.createUser(username: "admin", password: "Admin#2026", name: "管理员", roles: [.administrator])
        try await store.createUser(username: "patient", password: "Patient#2026", name: "张三", roles: [.patient],
                                   scope: .patient(patientKey: "h1/P1"), patientKey: "h1/P1")
        return PatientAccessFixture(platform: platform, folder: folder, ct: ct, mr: mr, other: other, reportID: report.id)
    }

    /// Runs `body` against the router (or, `.live`, a server on a free port), closing the database after.
    static func withApp(_ mode: TestingSetup = .router, publicURL: String? = Self.publicURL,
                        _ body: @Sendable (PatientAccessFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await make(publicURL: publicURL)
        let app = Application(router: buildRouter(fixture.platform), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        do {
            try await app.test(mode) { client in try await body(fixture, client) }
        } catch {
            await fixture.platform.store.database.close()
            throw error
        }
        await fixture.platform.store.database.close()
        try? FileManager.default.removeItem(at: fixture.folder)
    }

    /// An access token for a user, through the authorization code flow with PKCE (as the web app gets one).
    func token(for username: String) async throws -> String {
        let verifier = SecureRandom.token()
        let digest = SecureRandom.digest(verifier)
        var bytes: [UInt8] = []
        var index = digest.startIndex
        while index < digest.endIndex {
            let next = digest.index(index, offsetBy: 2)
            bytes.append(UInt8(digest[index..<next], radix: 16)!)
            index = next
        }
        let redirect = "http://localhost/app/callback"
        let request = try await platform.authorization.validateAuthorization([
            "client_id": "mi-web", "redirect_uri": redirect, "response_type": "code", "code_challenge": Base64URL.encode(bytes),
            "code_challenge_method": "S256", "scope": "openid api",
        ])
        let users = try await store.users(matching: username)
        let user = try #require(users.items.first { $0.username == username })
        let location = try await platform.authorization.issueCode(for: request, user: user)
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        let tokens = try await platform.authorization.token(["grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                                                             "client_id": "mi-web", "redirect_uri": redirect], authenticatedClient: nil)
        return tokens.accessToken
    }

    /// The integration client's token (client credentials).
    func integrationToken() async throws -> String {
        let client = try #require(try await store.client("mi-integration"))
        return try await platform.authorization.token(["grant_type": "client_credentials"], authenticatedClient: client).accessToken
    }
}

/// Requests and answers in a line each.
extension TestClientProtocol {
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, body: ByteBuffer, headers: HTTPFields) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            (response.status, response.body, response.headers)
        }
    }

    /// A JSON object answer.
    func object(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
                expect status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let answer = try await call(method, uri, token: token, json: json)
        #expect(answer.status == status, "\(method) \(uri): \(String(buffer: answer.body))", sourceLocation: sourceLocation)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any]) ?? [:]
    }
}

/// Reads a PNG with `zbarimg --raw` (Debian's zbar-tools): the independent QR decoder. The process runs on a dispatch
/// thread, so waiting for it holds none of the threads Swift concurrency shares with the other tests.
enum PatientZBar {
    static func decode(_ png: [UInt8]) async throws -> String? {
        guard let tool = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("zbarimg is not installed: apt-get install zbar-tools (Scripts/install-test-deps.sh installs it)")
            return nil
        }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try run(tool, png) }) }
        }
    }

    private static func run(_ tool: String, _ png: [UInt8]) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("route-qr-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" --raw -q \"$1\" 2>/dev/null", tool, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, var text = String(data: data, encoding: .utf8) else { return nil }
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

/// A small CT image (4×4, 12 bits signed) with exactly the attributes the patient routes need.
struct PatientFixtureInstance: Sendable {
    var studyUID = UIDGenerator.make()
    var seriesUID = UIDGenerator.make()
    var sopUID = UIDGenerator.make()
    var patientID = "P1"
    var patientName = "Zhang^San=张^三"
    var accessionNumber = "A1"
    var studyDate = "20261115"
    var modality = "CT"

    func bytes() throws -> [UInt8] {
        var d = DataSet(characterSet: .utf8)
        try d.setStrings(SpecificCharacterSet.utf8.terms, for: .specificCharacterSet)
        try d.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try d.setString(sopUID, for: .sopInstanceUID)
        try d.setString(studyDate, for: .studyDate)
        try d.setString("083000", for: .studyTime)
        try d.setString(accessionNumber, for: .accessionNumber)
        try d.setString(modality, for: .modality)
        try d.setString("Demo General Hospital", for: Tag(0x0008, 0x0080))
        try d.setString("Chest", for: .studyDescription)
        try d.setString(patientName, for: .patientName)
        try d.setString(patientID, for: .patientID)
        try d.setString("19800101", for: .patientBirthDate)
        try d.setString("M", for: .patientSex)
        try d.setString(studyUID, for: .studyInstanceUID)
        try d.setString(seriesUID, for: .seriesInstanceUID)
        try d.setInts([1], for: .seriesNumber)
        try d.setInts([1], for: .instanceNumber)
        try d.setInts([1], for: .samplesPerPixel)
        try d.setString("MONOCHROME2", for: .photometricInterpretation)
        try d.setInts([4], for: .rows)
        try d.setInts([4], for: .columns)
        try d.setInts([16], for: .bitsAllocated)
        try d.setInts([12], for: .bitsStored)
        try d.setInts([11], for: .highBit)
        try d.setInts([1], for: .pixelRepresentation)
        try d.setStrings(["40"], for: Tag(0x0028, 0x1050))
        try d.setStrings(["400"], for: Tag(0x0028, 0x1051))
        let raw = (0..<16).flatMap { i -> [UInt8] in let u = UInt16(bitPattern: Int16(i * 10 - 50)); return [UInt8(u & 0xFF), UInt8(u >> 8)] }
        d.set(DataElement(tag: .pixelData, vr: .OW, bytes: raw))
        return try DicomFile(dataSet: d, transferSyntax: .explicitVRLittleEndian).encoded()
    }
}

let patientFixturePDF: [UInt8] = Array("""
%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF

""".utf8)
