import Logging

/// The platform's persistence facade: the database, the blob store and the event bus, with intention-named methods
/// for each domain (`PlatformStore+Index.swift`, `+Accounts`, `+OAuth`, `+Audit`...).
public struct PlatformStore: Sendable {
    /// The SQL database (SQLite or PostgreSQL).
    public let database: PlatformDatabase
    /// Original files and derived objects.
    public let blobs: any BlobStore
    /// Where changes are announced.
    public let events: any EventBus
    /// Password hashing (bcrypt).
    public let hasher: PasswordHasher
    let logger: Logger
    /// Audit events written in batches (`auditSoon`).
    let auditQueue: AuditQueue

    /// Creates the facade over opened parts. Call `database.migrate()` first.
    public init(database: PlatformDatabase, blobs: any BlobStore, events: any EventBus = InProcessEventBus(),
                hasher: PasswordHasher = PasswordHasher(), logger: Logger = Logger(label: "mi.store")) {
        self.hasher = hasher
        self.database = database
        self.blobs = blobs
        self.events = events
        self.logger = logger
        auditQueue = AuditQueue(database: database, logger: logger)
    }
}
