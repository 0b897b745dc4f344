import Foundation
import Logging
import PlatformServices

/// The demo's accounts and OAuth clients, as written to `demo-accounts.json`.
struct DemoAccounts: Codable, Sendable {
    struct Account: Codable, Sendable { var role: String; var username: String; var password: String }
    struct Client: Codable, Sendable {
        var client_id: String
        var client_secret: String?
        var redirect_uris: [String]
        var grant_types: [String]
    }
    var accounts: [Account]
    var clients: [Client]
}

/// Seeds an empty demo data folder: hospitals, accounts, OAuth clients and the generated sample studies.
struct DemoSeeder {
    let platform: Platform
    let folder: URL
    let logger: Logger
    var store: PlatformStore { platform.store }
    var accountsFile: URL { folder.appendingPathComponent("demo-accounts.json") }

    /// Seeds once; later starts read the accounts back.
    func seedIfNeeded() async throws -> DemoAccounts {
        if let data = try? Data(contentsOf: accountsFile), let accounts = try? JSONDecoder().decode(DemoAccounts.self, from: data) {
            return accounts
        }
        let started = Date()
        let accounts = try await seed()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Written last: its presence means the seeding finished.
        try encoder.encode(accounts).write(to: accountsFile, options: .atomic)
        logger.info("demo seeded in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return accounts
    }

    static let defaultHospitalID = "demo-general"   // DemoStudies' first hospital

    private func seed() async throws -> DemoAccounts {
        // The catalog's hospitals come first: the first one is the default hospital.
        let catalog = try await DemoStudiesSeeding.seed(store: store, folder: folder, logger: logger)
        let base = platform.config.baseURL
        let webRedirects = Array(Set([base + "/app/callback", "http://localhost:\(platform.config.listen.port)/app/callback",
                                      "http://127.0.0.1:\(platform.config.listen.port)/app/callback"])).sorted()
        _ = try await store.registerClient(clientId: "mi-web", name: "医学影像平台 Web", confidential: false, redirectURIs: webRedirects,
                                           grantTypes: [.authorizationCode, .refreshToken])
        let (_, integrationSecret) = try await store.registerClient(clientId: "mi-integration", name: "RIS/PACS integration", confidential: true,
                                                                    redirectURIs: [], grantTypes: [.clientCredentials], roles: [.integration])
        let (_, gatewaySecret) = try await store.registerClient(clientId: "mi-gateway", name: "Intranet gateway", confidential: true,
                                                                redirectURIs: [], grantTypes: [.clientCredentials], roles: [.integration])
        let passwords = (admin: "Admin#2026", doctor: "Doctor#2026", patient: "Patient#2026")
        try await store.createUser(username: "admin", password: passwords.admin, name: "系统管理员", roles: [.administrator],
                                   hospitalId: Self.defaultHospitalID, department: "信息科", title: "工程师", phone: "13800000000")
        try await store.createUser(username: "doctor", password: passwords.doctor, name: "王医生", roles: [.doctor], scope: .all,
                                   hospitalId: Self.defaultHospitalID, department: "放射科", title: "主治医师", phone: "13800000001")
        // The demo patient is the first patient with a reported exam (张三, CT chest, with a follow-up scheduled).
        let patientExam = catalog.exams.first(where: { $0.status == .report }) ?? catalog.exams[0]
        let patientKey = "\(patientExam.hospitalID)/\(patientExam.patientID)"
        try await store.createUser(username: "patient", password: passwords.patient, name: "患者", roles: [.patient],
                                   scope: .patient(patientKey: patientKey), hospitalId: Self.defaultHospitalID, patientKey: patientKey)
        return DemoAccounts(
            accounts: [.init(role: "administrator", username: "admin", password: passwords.admin),
                       .init(role: "doctor", username: "doctor", password: passwords.doctor),
                       .init(role: "patient", username: "patient", password: passwords.patient)],
            clients: [.init(client_id: "mi-web", client_secret: nil, redirect_uris: webRedirects, grant_types: ["authorization_code", "refresh_token"]),
                      .init(client_id: "mi-integration", client_secret: integrationSecret, redirect_uris: [], grant_types: ["client_credentials"]),
                      .init(client_id: "mi-gateway", client_secret: gatewaySecret, redirect_uris: [], grant_types: ["client_credentials"])])
    }
}
