import Crypto
import Foundation
import SQLKit

/// Share tokens are looked up by their SHA-256 (`shares.token_hash`); their owner must still be able to see the link
/// again in the share list, so a copy is kept sealed with AES-GCM under a key of this installation (`settings`,
/// made on first use). A copy of the table alone gives neither usable tokens nor a way to find them.
enum ShareTokenSeal {
    static let settingKey = "share_token_key"

    static func key(_ store: PlatformStore) async throws -> SymmetricKey {
        let stored = try await store.database.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: settingKey)").first()?.decode(column: "value", as: String.self)
        }
        if let stored, let bytes = Base64URL.decode(stored), bytes.count == 32 { return SymmetricKey(data: bytes) }
        let fresh = Base64URL.encode(SecureRandom.bytes(32))
        let now = Clock.epochSeconds()
        // Two nodes may race to make the key: the first insert wins and both read it back.
        try await store.database.write { db in
            try await db.raw("INSERT INTO settings (key, value, updated_at) VALUES (\(bind: settingKey), \(bind: fresh), \(bind: now)) ON CONFLICT (key) DO NOTHING").run()
        }
        let winner = try await store.database.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: settingKey)").first()?.decode(column: "value", as: String.self)
        }
        guard let winner, let bytes = Base64URL.decode(winner), bytes.count == 32 else {
            throw PlatformError(.storageFailure, "the share key could not be stored")
        }
        return SymmetricKey(data: bytes)
    }

    static func seal(_ token: String, key: SymmetricKey) throws -> String {
        guard let combined = try AES.GCM.seal(Data(token.utf8), using: key).combined else {
            throw PlatformError(.storageFailure, "the share token could not be sealed")
        }
        return Base64URL.encode(combined)
    }

    static func open(_ sealed: String, key: SymmetricKey) -> String? {
        guard let bytes = Base64URL.decode(sealed), let box = try? AES.GCM.SealedBox(combined: Data(bytes)),
              let plain = try? AES.GCM.open(box, using: key) else { return nil }
        return String(data: plain, encoding: .utf8)
    }
}
