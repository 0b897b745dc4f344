import DicomCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PlatformServices
import Testing
@testable import mi_server

@Suite struct IntegrationRoutesTests {
    /// A header-only CT instance: enough to be indexed.
    static func instance(sop: String) throws -> [UInt8] {
        var d = DataSet()
        try d.setString("1.2.840.10008.5.1.4.1.1.2", for: .sopClassUID)
        try d.setString(sop, for: .sopInstanceUID)
        try d.setString("CT", for: .modality)
        try d.setString("P1", for: .patientID)
        try d.setString("1.2.3.4", for: .studyInstanceUID)
        try d.setString("1.2.3.4.5", for: .seriesInstanceUID)
        return try DicomFile(dataSet: d, transferSyntax: .explicitVRLittleEndian).encoded()
    }

    /// Browsers and many DICOMweb clients use mixed-case boundaries; the reader once matched a lower-cased copy.
    @Test func multipartUploadsWithAMixedCaseBoundaryAreRead() async throws {
        try await withTestPlatform { platform in
            try await platform.store.upsertHospital(id: "h1", name: "H1", departments: [])
            let admin = try await platform.store.createUser(username: "root", password: "Admin#2026", name: "Root", roles: [.administrator])
            let token = try await accessToken(for: admin, on: platform)
            let boundary = "MiBoundaryXyZ"
            var parts: [UInt8] = []
            for sop in ["1.2.3.4.5.1", "1.2.3.4.5.2"] {
                parts += Array("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8) + (try Self.instance(sop: sop)) + Array("\r\n".utf8)
            }
            let body = parts + Array("--\(boundary)--\r\n".utf8)
            let headers: HTTPFields = [.authorization: "Bearer \(token)",
                                       .contentType: "multipart/related; type=\"application/dicom\"; boundary=\(boundary)"]
            try await Application(router: buildRouter(platform)).test(.router) { client in
                try await client.execute(uri: "/api/v1/instances", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == .ok)
                    let page = try JSONDecoder().decode(Page<UploadResult>.self, from: Data(buffer: response.body))
                    #expect(page.items.map(\.status) == ["stored", "stored"])
                }
            }
        }
    }
}
