import Foundation
import SQLKit

/// A PACS link as administrators manage it.
public struct PACSNode: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var aeTitle: String
    public var host: String
    public var port: Int

    /// The peer the retriever talks to.
    public var peer: PACSPeer { PACSPeer(name: name, aeTitle: aeTitle, host: host, port: port) }
}

extension PlatformStore {
    static func validatePACSNode(name: String, aeTitle: String, host: String, port: Int) throws(PlatformError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 64 else { throw PlatformError.invalid("name", "name is required (at most 64 characters)") }
        // PS3.5 §6.2: AE is 1–16 characters of the default repertoire, no backslash or control characters, not all spaces.
        guard (1...16).contains(aeTitle.count), aeTitle.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\\" }),
              !aeTitle.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PlatformError.invalid("aeTitle", "AE title must be 1–16 printable ASCII characters without backslash")
        }
        guard !host.isEmpty, host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) else {
            throw PlatformError.invalid("host", "host must be a host name or an IP address")
        }
        guard (1...65535).contains(port) else { throw PlatformError.invalid("port", "port must be 1–65535") }
    }

    private static func decodeNode(_ row: any SQLRow) throws -> PACSNode {
        PACSNode(id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
                 aeTitle: try row.decode(column: "ae_title", as: String.self), host: try row.decode(column: "host", as: String.self),
                 port: try row.decode(column: "port", as: Int.self))
    }

    /// Every PACS link, by name.
    public func pacsNodes() async throws -> [PACSNode] {
        try await database.read { db in try await db.raw("SELECT * FROM pacs_nodes ORDER BY name, id").all().map(Self.decodeNode) }
    }

    /// One PACS link.
    public func pacsNode(_ id: String) async throws -> PACSNode {
        let row = try await database.read { db in try await db.raw("SELECT * FROM pacs_nodes WHERE id = \(bind: id)").first() }
        guard let row else { throw PlatformError(.notFound, "no PACS link \(id)") }
        return try Self.decodeNode(row)
    }

    /// Adds a PACS link.
    public func addPACSNode(name: String, aeTitle: String, host: String, port: Int) async throws -> PACSNode {
        try Self.validatePACSNode(name: name, aeTitle: aeTitle, host: host, port: port)
        let id = UUID().uuidString.lowercased()
        let now = Clock.epochSeconds()
        try await database.write { db in
            try await db.raw("""
                INSERT INTO pacs_nodes (id, name, ae_title, host, port, created_at)
                VALUES (\(bind: id), \(bind: name), \(bind: aeTitle), \(bind: host), \(bind: port), \(bind: now))
                """).run()
        }
        return try await pacsNode(id)
    }

    /// Changes a PACS link; nil fields stay.
    public func updatePACSNode(_ id: String, name: String?, aeTitle: String?, host: String?, port: Int?) async throws -> PACSNode {
        let current = try await pacsNode(id)
        let next = PACSNode(id: id, name: name ?? current.name, aeTitle: aeTitle ?? current.aeTitle, host: host ?? current.host, port: port ?? current.port)
        try Self.validatePACSNode(name: next.name, aeTitle: next.aeTitle, host: next.host, port: next.port)
        try await database.write { db in
            try await db.raw("""
                UPDATE pacs_nodes SET name = \(bind: next.name), ae_title = \(bind: next.aeTitle), host = \(bind: next.host), port = \(bind: next.port)
                WHERE id = \(bind: id)
                """).run()
        }
        return next
    }

    /// Removes a PACS link.
    public func deletePACSNode(_ id: String) async throws {
        _ = try await pacsNode(id)
        try await database.write { db in try await db.raw("DELETE FROM pacs_nodes WHERE id = \(bind: id)").run() }
    }
}
