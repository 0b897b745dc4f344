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

    static let defaultHospitalID = "demo-general"

    private func seed() async throws -> DemoAccounts {
        try await store.upsertHospital(id: Self.defaultHospitalID, name: "演示总医院", aliases: ["Demo General Hospital"],
                                       departments: ["放射科", "心内科", "呼吸内科", "神经内科", "骨科", "急诊科", "体检中心"])
        try await store.upsertHospital(id: "demo-east", name: "演示东院", aliases: ["Demo East Campus"],
                                       departments: ["放射科", "骨科", "急诊科"])
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
        let patientKey = try await DemoStudiesSeeding.seedStudies(store: store, folder: folder, hospitalID: Self.defaultHospitalID, logger: logger)
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
