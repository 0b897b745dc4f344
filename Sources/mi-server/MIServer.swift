import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PlatformServices
import ServiceLifecycle

@main
struct MIServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mi-server",
        abstract: "The medical imaging platform server: gateway, portal, or both.",
        subcommands: [Demo.self, Serve.self],
        defaultSubcommand: Demo.self
    )

    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the all-in-one demo on SQLite and local storage, seeded with sample studies on first start.")

        @Option(help: "HTTP port.") var port: Int = 8080
        @Option(help: "Address to listen on.") var host: String = "0.0.0.0"
        @Option(help: "Data folder (created and seeded when empty).") var data: String = "mi-data"
        @Option(help: "DICOM Storage SCP port (0 to disable).") var dicomPort: Int = 11112
        @Option(help: "Public base URL, when browsers reach the server under another name.") var publicURL: String?
        @Option(help: "Serve the web client from this folder instead of the bundled copy (web development).") var webRoot: String?
        @Option(help: "PEM certificate (chain) for HTTPS, with --tls-key: the demo then serves HTTP/2 and HTTP/1.1 over TLS.")
        var tlsCertificate: String?
        @Option(help: "PEM private key of --tls-certificate.") var tlsKey: String?
        @Flag(name: .customLong("test-clock"), help: "Let end-to-end tests move the server's clock (POST /api/v1/test/clock). Tests only.")
        var testClock = false

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
            if let webRoot, !FileManager.default.fileExists(atPath: webRoot + "/index.html") {
                throw ValidationError("--web-root must be a folder with an index.html")
            }
            guard (0...65535).contains(dicomPort) else { throw ValidationError("--dicom-port must be 0...65535") }
            guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
            for path in [tlsCertificate, tlsKey].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("no file at \(path)")
            }
        }

        func run() async throws {
            let logger = Logger(label: "mi-server")
            let folder = URL(fileURLWithPath: data).standardizedFileURL
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var config = ServerConfig()
            config.listen = .init(host: host, port: port)
            config.database = "sqlite:" + folder.appendingPathComponent("index.sqlite").path
            config.storage = folder.appendingPathComponent("storage").path
            config.publicURL = publicURL
            config.webRoot = webRoot.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            config.dicom = dicomPort == 0 ? nil : .init(aeTitle: "MI_DEMO", port: dicomPort)
            config.testClockControl = testClock
            if let tlsCertificate, let tlsKey { config.tls = .init(certificate: tlsCertificate, key: tlsKey) }
            let platform = try await Platform.open(config, logger: logger)
            let accounts: DemoAccounts
            do { accounts = try await DemoSeeder(platform: platform, folder: folder, logger: logger).seedIfNeeded() } catch {
                await platform.store.database.close()
                throw error
            }
            let dicom = config.dicom, scheme = config.tls == nil ? "http" : "https"
            try await ServerRunner.run(platform, logger: logger) { port in
                let base = publicURL ?? "\(scheme)://localhost:\(port)"
                var lines = ["", "mi-server demo is running: \(base)/", "data folder: \(folder.path)"]
                if let dicom { lines.append("DICOM Storage SCP: AE \(dicom.aeTitle) on port \(dicom.port)") }
                lines.append("demo logins (also in \(folder.appendingPathComponent("demo-accounts.json").path)):")
                for account in accounts.accounts { lines.append("  \(account.role.padding(toLength: 14, withPad: " ", startingAt: 0)) \(account.username) / \(account.password)") }
                lines.append("")
                print(lines.joined(separator: "\n"))
                fflush(nil)
            }
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the server from a YAML config file.")

        @Option(help: "Config file (YAML).") var config: String

        func run() async throws {
            let logger = Logger(label: "mi-server")
            let loaded = try ServerConfig.load(path: config)
            let platform = try await Platform.open(loaded, logger: logger)
            let bootstrap: Bootstrap.Result
            do { bootstrap = try await Bootstrap.run(platform, logger: logger) } catch {
                await platform.store.database.close()
                throw error
            }
            try await ServerRunner.run(platform, logger: logger) { port in
                if let password = bootstrap.adminPassword {
                    print("first start: administrator 'admin' with one-time password \(password) (change it at first login)")
                }
                print("mi-server listening on \(loaded.baseURL) (port \(port))")
                fflush(nil)
            }
        }
    }
}

/// Runs the HTTP(S) application and, when configured, the DICOM Storage SCP, until SIGINT or SIGTERM; then shuts
/// both down gracefully and closes the database.
enum ServerRunner {
    static func run(_ platform: Platform, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        // However the services end (signal, bind failure), the database is closed.
        do {
            let app = try buildApplication(platform, logger: logger, onServerRunning: onRunning)
            var services: [any Service] = [app]
            if let dicom = platform.config.dicom {
                services.append(try await DicomService.bind(aeTitle: dicom.aeTitle, host: dicom.host ?? platform.config.listen.host, port: dicom.port,
                                                            store: platform.store, logger: logger))
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            await platform.store.flushAudit()
            await platform.store.database.close()
            throw error
        }
        await platform.store.flushAudit()
        await platform.store.database.close()
    }
}
