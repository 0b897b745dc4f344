import Foundation
import Yams

/// `mi-server serve --config FILE`: where to listen, what to store where, which DICOM peers exist. YAML (or JSON,
/// which YAML reads too).
///
/// ```yaml
/// listen: { host: 0.0.0.0, port: 8443 }
/// tls: { certificate: /etc/mi/cert.pem, key: /etc/mi/key.pem }
/// publicURL: https://films.example.org
/// database: postgres://mi:secret@db:5432/mi?sslmode=verify-full   # or sqlite:/var/lib/mi/index.sqlite (sslmode: disable, prefer (default), require, verify-ca, verify-full; sslrootcert=FILE)
/// storage: /var/lib/mi/storage
/// storageDurability: flushed                     # (default) or filesystem, see FileBlobStore.Durability
/// dicom: { aeTitle: MI_GATEWAY, port: 11112 }
/// pacs:
///   - { name: Main PACS, aeTitle: PACS, host: 10.0.0.5, port: 104 }
/// ```
struct ServerConfig: Codable, Sendable {
    struct Listen: Codable, Sendable {
        var host: String = "0.0.0.0"
        var port: Int = 8080
    }
    struct TLS: Codable, Sendable {
        /// PEM certificate chain.
        var certificate: String
        /// PEM private key.
        var key: String
    }
    struct DICOM: Codable, Sendable {
        var aeTitle: String = "MI_SERVER"
        var port: Int = 11112
        var host: String?
    }
    struct PACSPeer: Codable, Sendable {
        var name: String
        var aeTitle: String
        var host: String
        var port: Int
    }

    var listen = Listen()
    var tls: TLS?
    /// The base URL browsers use (links in QR codes, the OAuth issuer); `http(s)://host:port` of `listen` when unset.
    var publicURL: String?
    var database: String = "sqlite:mi-data/index.sqlite"
    var storage: String = "mi-data/storage"
    /// `flushed` (default: fsync per object, so it survives a power loss, at a device flush per object) or
    /// `filesystem` (an object survives a crash of the server once stored, not a power loss).
    var storageDurability: String?
    var dicom: DICOM?
    var pacs: [PACSPeer]?
    /// Where the web client's files are; the built-in copy when unset.
    var webRoot: String?
    /// `mi-server demo --test-clock` only (never read from a config file): end-to-end tests may move the server's
    /// clock with `POST /api/v1/test/clock` to see shares and sessions expire.
    var testClockControl = false

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
        tls = try c.decodeIfPresent(TLS.self, forKey: .tls)
        publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
        database = try c.decodeIfPresent(String.self, forKey: .database) ?? "sqlite:mi-data/index.sqlite"
        storage = try c.decodeIfPresent(String.self, forKey: .storage) ?? "mi-data/storage"
        storageDurability = try c.decodeIfPresent(String.self, forKey: .storageDurability)
        dicom = try c.decodeIfPresent(DICOM.self, forKey: .dicom)
        pacs = try c.decodeIfPresent([PACSPeer].self, forKey: .pacs)
        webRoot = try c.decodeIfPresent(String.self, forKey: .webRoot)
    }

    /// Reads a config file; errors name the file and the problem.
    static func load(path: String) throws -> ServerConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("cannot read config file \(path)")
        }
        do {
            return try YAMLDecoder().decode(ServerConfig.self, from: text)
        } catch {
            throw ConfigError("config file \(path) is invalid: \(error)")
        }
    }

    /// The public base URL without a trailing slash.
    var baseURL: String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let host = listen.host == "0.0.0.0" || listen.host == "::" ? "localhost" : listen.host
        return "\(tls == nil ? "http" : "https")://\(host):\(listen.port)"
    }
}

/// A configuration problem, reported before anything starts.
struct ConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
