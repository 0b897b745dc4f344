import SQLKit

/// A named, ordered schema change. Applied once; its name is recorded in `mi_migrations`.
public struct Migration: Sendable {
    /// Unique, stable name (never rename an applied migration).
    public var name: String
    /// The change, given the engine so that the rare dialect difference can be spelled out.
    public var apply: @Sendable (any SQLDatabase, PlatformDatabase.Engine) async throws -> Void
}

extension PlatformDatabase {
    /// Applies every migration not yet applied, in order, each in its own transaction.
    public func migrate() async throws {
        try await write { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS mi_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        let applied = Set(try await read { db in
            try await db.raw("SELECT name FROM mi_migrations").all().map { try $0.decode(column: "name", as: String.self) }
        })
        let engine = self.engine
        for migration in Self.migrations where !applied.contains(migration.name) {
            try await write { db in
                try await migration.apply(db, engine)
                try await db.raw("INSERT INTO mi_migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: Clock.epochSeconds()))").run()
            }
            logger.info("applied migration \(migration.name)")
        }
    }

    /// Every migration, in order.
    static let migrations: [Migration] = [
        Migration(name: "001_accounts") { db, engine in
            for statement in [
                """
                CREATE TABLE hospitals (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, aliases TEXT NOT NULL DEFAULT '',
                  position INTEGER NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE departments (hospital_id TEXT NOT NULL REFERENCES hospitals(id), name TEXT NOT NULL,
                  PRIMARY KEY (hospital_id, name))
                """,
                """
                CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
                  name TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '', hospital_id TEXT REFERENCES hospitals(id),
                  department TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', roles TEXT NOT NULL,
                  scope TEXT NOT NULL DEFAULT 'all', status TEXT NOT NULL, must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
                  patient_key TEXT, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0,
                  token_epoch BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE registrations (id TEXT PRIMARY KEY, username TEXT NOT NULL, password_hash TEXT NOT NULL,
                  name TEXT NOT NULL, phone TEXT NOT NULL, hospital_id TEXT NOT NULL REFERENCES hospitals(id),
                  department TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
                  created_at BIGINT NOT NULL, decided_at BIGINT, decided_by TEXT, user_id TEXT)
                """,
                "CREATE INDEX registrations_status ON registrations (status, created_at)",
                "CREATE UNIQUE INDEX registrations_pending_username ON registrations (username) WHERE status = 'pending'",
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        Migration(name: "002_index") { db, engine in
            for statement in [
                """
                CREATE TABLE patients (key TEXT PRIMARY KEY, hospital_id TEXT NOT NULL REFERENCES hospitals(id),
                  patient_id TEXT NOT NULL, name TEXT NOT NULL, name_search TEXT NOT NULL, birth_date TEXT NOT NULL DEFAULT '',
                  sex TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL,
                  UNIQUE (hospital_id, patient_id))
                """,
                """
                CREATE TABLE studies (study_uid TEXT PRIMARY KEY, patient_key TEXT NOT NULL REFERENCES patients(key),
                  hospital_id TEXT NOT NULL REFERENCES hospitals(id), accession_number TEXT NOT NULL DEFAULT '',
                  study_date TEXT NOT NULL DEFAULT '', study_time TEXT NOT NULL DEFAULT '', modality TEXT NOT NULL DEFAULT '',
                  modalities TEXT NOT NULL DEFAULT '',
                  description TEXT NOT NULL DEFAULT '', referring_physician TEXT NOT NULL DEFAULT '',
                  department TEXT NOT NULL DEFAULT '', visit_type TEXT NOT NULL DEFAULT '', status TEXT NOT NULL,
                  patient_name TEXT NOT NULL, name_search TEXT NOT NULL, patient_id TEXT NOT NULL,
                  patient_sex TEXT NOT NULL DEFAULT '', patient_birth_date TEXT NOT NULL DEFAULT '',
                  institution TEXT NOT NULL DEFAULT '', body_part TEXT NOT NULL DEFAULT '',
                  series_count INTEGER NOT NULL DEFAULT 0, instance_count INTEGER NOT NULL DEFAULT 0,
                  scheduled_at BIGINT, imaged_at BIGINT, reported_at BIGINT,
                  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX studies_date ON studies (study_date, study_time)",
                "CREATE INDEX studies_status_date ON studies (status, study_date)",
                "CREATE INDEX studies_modality_date ON studies (modality, study_date)",
                "CREATE INDEX studies_patient_id ON studies (patient_id)",
                "CREATE INDEX studies_accession ON studies (accession_number)",
                "CREATE INDEX studies_name ON studies (patient_name)",
                "CREATE INDEX studies_patient ON studies (patient_key)",
                "CREATE INDEX studies_hospital_date ON studies (hospital_id, study_date)",
                """
                CREATE TABLE series (series_uid TEXT PRIMARY KEY, study_uid TEXT NOT NULL REFERENCES studies(study_uid),
                  modality TEXT NOT NULL DEFAULT '', series_number INTEGER, description TEXT NOT NULL DEFAULT '',
                  body_part TEXT NOT NULL DEFAULT '', instance_count INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX series_study ON series (study_uid)",
                """
                CREATE TABLE instances (sop_uid TEXT PRIMARY KEY, series_uid TEXT NOT NULL REFERENCES series(series_uid),
                  study_uid TEXT NOT NULL REFERENCES studies(study_uid), sop_class_uid TEXT NOT NULL,
                  instance_number INTEGER, frame_count INTEGER NOT NULL DEFAULT 1, transfer_syntax TEXT NOT NULL,
                  storage_key TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, metadata TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX instances_series ON instances (series_uid, instance_number)",
                "CREATE INDEX instances_study ON instances (study_uid)",
                """
                CREATE TABLE reports (id TEXT PRIMARY KEY, study_uid TEXT NOT NULL REFERENCES studies(study_uid),
                  title TEXT NOT NULL, content_type TEXT NOT NULL, storage_key TEXT, text TEXT NOT NULL DEFAULT '',
                  author TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, source_uid TEXT UNIQUE, page_count INTEGER,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX reports_study ON reports (study_uid, created_at)",
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        Migration(name: "003_oauth_audit") { db, engine in
            let autoIncrement = engine == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"
            for statement in [
                """
                CREATE TABLE oauth_clients (client_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT,
                  redirect_uris TEXT NOT NULL, grant_types TEXT NOT NULL, roles TEXT NOT NULL DEFAULT '',
                  first_party BOOLEAN NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE oauth_codes (code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL,
                  redirect_uri TEXT NOT NULL, code_challenge TEXT NOT NULL, scope TEXT NOT NULL,
                  expires_at BIGINT NOT NULL, used BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                """
                CREATE TABLE refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, user_id TEXT NOT NULL,
                  client_id TEXT NOT NULL, scope TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                  rotated BOOLEAN NOT NULL DEFAULT FALSE, revoked BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)",
                "CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)",
                "CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)",
                "CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, private_key TEXT NOT NULL, created_at BIGINT NOT NULL)",
                """
                CREATE TABLE audit_events (id \(autoIncrement), at BIGINT NOT NULL, actor_id TEXT, actor TEXT NOT NULL,
                  action TEXT NOT NULL, outcome TEXT NOT NULL, patient_id TEXT NOT NULL DEFAULT '',
                  study_uid TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', client_ip TEXT NOT NULL DEFAULT '')
                """,
                "CREATE INDEX audit_at ON audit_events (at)",
                "CREATE INDEX audit_actor ON audit_events (actor, at)",
                "CREATE INDEX audit_study ON audit_events (study_uid)",
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)",
                """
                CREATE TABLE pacs_nodes (id TEXT PRIMARY KEY, name TEXT NOT NULL, ae_title TEXT NOT NULL, host TEXT NOT NULL,
                  port INTEGER NOT NULL, created_at BIGINT NOT NULL)
                """,
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        // Patient access (issue 9): QR links to one exam, patient sessions and share sessions (opaque bearer tokens),
        // time-limited shares, consult messages, attempt throttling, and each hospital's second factor. Tokens are
        // kept as SHA-256 digests only (a share's token also sealed, so its owner can see the link again). Exam
        // references carry no foreign key: an order's placeholder study is replaced when its images arrive, and
        // `moveStudyReferences` carries these rows over.
        Migration(name: "004_patient_access") { db, engine in
            let autoIncrement = engine == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"
            for statement in [
                "ALTER TABLE hospitals ADD COLUMN patient_verification TEXT NOT NULL DEFAULT 'birthDate'",
                """
                CREATE TABLE patient_links (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, study_uid TEXT NOT NULL,
                  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT,
                  open_count INTEGER NOT NULL DEFAULT 0, last_opened_at BIGINT)
                """,
                "CREATE INDEX patient_links_study ON patient_links (study_uid)",
                """
                CREATE TABLE shares (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, token_sealed TEXT NOT NULL,
                  study_uid TEXT NOT NULL, owner TEXT NOT NULL, created_by TEXT NOT NULL, access_code_hash TEXT,
                  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT,
                  view_count INTEGER NOT NULL DEFAULT 0, last_viewed_at BIGINT, failed_codes INTEGER NOT NULL DEFAULT 0)
                """,
                "CREATE INDEX shares_owner ON shares (owner, expires_at)",
                "CREATE INDEX shares_study ON shares (study_uid)",
                """
                CREATE TABLE access_grants (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, patient_key TEXT,
                  hospital_id TEXT, study_uid TEXT, share_id TEXT, link_id TEXT, created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL, revoked_at BIGINT)
                """,
                "CREATE INDEX access_grants_expiry ON access_grants (expires_at)",
                "CREATE INDEX access_grants_share ON access_grants (share_id)",
                """
                CREATE TABLE consult_messages (seq \(autoIncrement), id TEXT NOT NULL UNIQUE, study_uid TEXT NOT NULL, author_role TEXT NOT NULL,
                  author_id TEXT NOT NULL, author_name TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,
                  read_at BIGINT)
                """,
                "CREATE INDEX consult_messages_study ON consult_messages (study_uid, seq)",
                "CREATE INDEX consult_messages_unread ON consult_messages (author_role, read_at)",
                """
                CREATE TABLE attempt_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start BIGINT NOT NULL,
                  locked_until BIGINT NOT NULL DEFAULT 0)
                """,
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        // The worklist at 100,000 exams (Scripts/bench-worklist.sh, numbers in the commit that added this): one index
        // per sort key in the exact order of `worklist`'s ORDER BY (descending is the exact reverse, so one index serves
        // both directions), each also carrying the filter columns, so that the page query walks one index whatever
        // the filters and reads only its 50 rows from the table, and the count reads an index, not the table.
        // They replace the (key, study_date) indexes of 002, which needed a sort of the whole key group (a sort by
        // modality sorted every CT) or a table read per row.
        Migration(name: "005_worklist_indexes") { db, engine in
            func carrying(_ leading: String) -> String {
                ["modality", "status", "visit_type", "name_search", "hospital_id", "department"].filter { $0 != leading }.joined(separator: ", ")
            }
            for statement in [
                "DROP INDEX studies_date",
                "DROP INDEX studies_name",
                "DROP INDEX studies_status_date",
                "DROP INDEX studies_modality_date",
                "CREATE INDEX studies_worklist_date ON studies (study_date, study_time, study_uid, \(carrying("")))",
                """
                CREATE INDEX studies_worklist_name ON studies (patient_name, study_date DESC, study_time DESC, study_uid DESC, \(carrying("")))
                """,
                """
                CREATE INDEX studies_worklist_modality ON studies (modality, study_date DESC, study_time DESC, study_uid DESC, \(carrying("modality")))
                """,
                """
                CREATE INDEX studies_worklist_status ON studies (status, study_date DESC, study_time DESC, study_uid DESC, \(carrying("status")))
                """,
                // Exact name (a seek) and substring search (a scan of this narrow index instead of the table).
                "CREATE INDEX studies_name_search ON studies (name_search, study_date, study_time, study_uid)",
                "CREATE INDEX studies_visit_date ON studies (visit_type, study_date)",
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        // Name search keys keep the forms of a name apart ("zhangsan|张三", was "zhangsan张三"), so that an exact
        // search matches one whole form. Old keys are split where the shown name (the ideographic form when there is
        // one) ends or starts them; keys of one form stay as they are.
        Migration(name: "006_name_search_forms") { db, _ in
            for (table, nameColumn) in [("studies", "patient_name"), ("patients", "name")] {
                let rows = try await db.raw("SELECT DISTINCT name_search, \(unsafeRaw: nameColumn) AS shown FROM \(unsafeRaw: table)").all()
                for row in rows {
                    let old = try row.decode(column: "name_search", as: String.self)
                    let shown = try row.decode(column: "shown", as: String.self)
                    guard let key = NameSearchKeyUpgrade.split(old, shown: shown) else { continue }
                    try await db.raw("""
                        UPDATE \(unsafeRaw: table) SET name_search = \(bind: key)
                        WHERE name_search = \(bind: old) AND \(unsafeRaw: nameColumn) = \(bind: shown)
                        """).run()
                }
            }
        },
        // Consent for clients that are not ours: what each user allowed each client, and the one-time tickets that carry a
        // signed-in user from the login form to the consent page.
        Migration(name: "007_oauth_consent") { db, _ in
            for statement in [
                """
                CREATE TABLE oauth_consents (user_id TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, granted_at BIGINT NOT NULL,
                  PRIMARY KEY (user_id, client_id))
                """,
                """
                CREATE TABLE oauth_consent_tickets (ticket_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL,
                  redirect_uri TEXT NOT NULL, code_challenge TEXT NOT NULL, scope TEXT NOT NULL, expires_at BIGINT NOT NULL)
                """,
            ] { try await db.raw(SQLQueryString(statement)).run() }
        },
        // Exact names by seek: expression indexes on the first and second form of the name search key (the
        // expressions are `PlatformStore.nameForm`'s, to the character). Substring name search without a scan:
        // trigram indexes of the name search key. SQLite: an FTS5 table with the
        // trigram tokenizer, kept in step with `studies` by triggers (its own content, keyed by study UID: rowids may
        // change on VACUUM). PostgreSQL: pg_trgm's GIN index, which LIKE '%…%' uses by itself; where the extension
        // cannot be created (no privilege), the migration goes on without it and the search scans as before.
        Migration(name: "008_name_trigrams") { db, engine in
            switch engine {
            case .sqlite:
                for statement in [
                    "CREATE INDEX studies_name_form1 ON studies ((\(PlatformStore.nameForm(1, .sqlite))))",
                    "CREATE INDEX studies_name_form2 ON studies ((\(PlatformStore.nameForm(2, .sqlite))))",
                    "CREATE VIRTUAL TABLE studies_name_grams USING fts5(name_search, study_uid UNINDEXED, tokenize = 'trigram')",
                    "INSERT INTO studies_name_grams (name_search, study_uid) SELECT name_search, study_uid FROM studies",
                    """
                    CREATE TRIGGER studies_name_grams_insert AFTER INSERT ON studies BEGIN
                      INSERT INTO studies_name_grams (name_search, study_uid) VALUES (new.name_search, new.study_uid); END
                    """,
                    """
                    CREATE TRIGGER studies_name_grams_delete AFTER DELETE ON studies BEGIN
                      DELETE FROM studies_name_grams WHERE study_uid = old.study_uid; END
                    """,
                    """
                    CREATE TRIGGER studies_name_grams_update AFTER UPDATE OF name_search, study_uid ON studies
                    WHEN old.name_search IS NOT new.name_search OR old.study_uid IS NOT new.study_uid BEGIN
                      DELETE FROM studies_name_grams WHERE study_uid = old.study_uid;
                      INSERT INTO studies_name_grams (name_search, study_uid) VALUES (new.name_search, new.study_uid); END
                    """,
                ] { try await db.raw(SQLQueryString(statement)).run() }
            case .postgres:
                for n in 1...2 {
                    try await db.raw("CREATE INDEX studies_name_form\(unsafeRaw: String(n)) ON studies ((\(unsafeRaw: PlatformStore.nameForm(n, .postgres))))").run()
                }
                try await db.raw("SAVEPOINT name_trigrams").run()
                do {
                    try await db.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
                    try await db.raw("CREATE INDEX studies_name_trigrams ON studies USING gin (name_search gin_trgm_ops)").run()
                    try await db.raw("RELEASE SAVEPOINT name_trigrams").run()
                } catch {
                    try await db.raw("ROLLBACK TO SAVEPOINT name_trigrams").run()
                }
            }
        },
        // Name searches too short for trigrams (a two-character Chinese name such as 王伟, or one character such as
        // 伟): every two-character substring of a name search key that does not cross a form separator, and every
        // single character above U+007F, one row per (gram, study), kept in step with `studies` by triggers on both
        // engines. `PlatformStore.shortGram` says when a search can use it.
        Migration(name: "009_name_short_grams") { db, engine in
            let separator = String(SearchText.formSeparator)
            switch engine {
            case .sqlite:
                // SQLite triggers cannot use a recursive CTE: positions come from a table of numbers instead, up to
                // the longest key three full Person Name groups can make.
                // SQLite has no lateral joins either: the backfill joins `studies` in the same statements.
                let grams = { (key: String, uid: String, from: String) in
                    """
                    SELECT substr(\(key), n, 2), \(uid) FROM \(from)name_gram_positions
                      WHERE n < length(\(key)) AND instr(substr(\(key), n, 2), '\(separator)') = 0
                    UNION SELECT substr(\(key), n, 1), \(uid) FROM \(from)name_gram_positions
                      WHERE n <= length(\(key)) AND unicode(substr(\(key), n, 1)) > 127
                    """
                }
                for statement in [
                    "CREATE TABLE name_gram_positions (n INTEGER PRIMARY KEY)",
                    """
                    INSERT INTO name_gram_positions (n) WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < \(PlatformStore.longestNameKey))
                    SELECT n FROM p
                    """,
                    "CREATE TABLE studies_name_short_grams (gram TEXT NOT NULL, study_uid TEXT NOT NULL, PRIMARY KEY (gram, study_uid)) WITHOUT ROWID",
                    "CREATE INDEX studies_name_short_grams_study ON studies_name_short_grams (study_uid)",
                    "INSERT OR IGNORE INTO studies_name_short_grams (gram, study_uid) \(grams("s.name_search", "s.study_uid", "studies s, "))",
                    """
                    CREATE TRIGGER studies_name_short_grams_insert AFTER INSERT ON studies BEGIN
                      INSERT OR IGNORE INTO studies_name_short_grams (gram, study_uid) \(grams("new.name_search", "new.study_uid", "")); END
                    """,
                    """
                    CREATE TRIGGER studies_name_short_grams_delete AFTER DELETE ON studies BEGIN
                      DELETE FROM studies_name_short_grams WHERE study_uid = old.study_uid; END
                    """,
                    """
                    CREATE TRIGGER studies_name_short_grams_update AFTER UPDATE OF name_search, study_uid ON studies
                    WHEN old.name_search IS NOT new.name_search OR old.study_uid IS NOT new.study_uid BEGIN
                      DELETE FROM studies_name_short_grams WHERE study_uid = old.study_uid;
                      INSERT OR IGNORE INTO studies_name_short_grams (gram, study_uid) \(grams("new.name_search", "new.study_uid", "")); END
                    """,
                ] { try await db.raw(SQLQueryString(statement)).run() }
            case .postgres:
                let grams = { (key: String, uid: String) in
                    """
                    SELECT DISTINCT g, \(uid) FROM (
                      SELECT substr(\(key), n, 2) AS g FROM generate_series(1, length(\(key)) - 1) AS n
                      UNION SELECT substr(\(key), n, 1) FROM generate_series(1, length(\(key))) AS n WHERE ascii(substr(\(key), n, 1)) > 127
                    ) grams WHERE position('\(separator)' in g) = 0
                    """
                }
                for statement in [
                    "CREATE TABLE studies_name_short_grams (gram TEXT NOT NULL, study_uid TEXT NOT NULL, PRIMARY KEY (gram, study_uid))",
                    "CREATE INDEX studies_name_short_grams_study ON studies_name_short_grams (study_uid)",
                    """
                    INSERT INTO studies_name_short_grams (gram, study_uid)
                    SELECT DISTINCT g.gram, s.study_uid FROM studies s CROSS JOIN LATERAL (\(grams("s.name_search", "s.study_uid")))
                      AS g(gram, uid) ON CONFLICT DO NOTHING
                    """,
                    """
                    CREATE FUNCTION studies_name_short_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'UPDATE' AND OLD.name_search IS NOT DISTINCT FROM NEW.name_search AND OLD.study_uid = NEW.study_uid THEN
                        RETURN NULL;
                      END IF;
                      IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        DELETE FROM studies_name_short_grams WHERE study_uid = OLD.study_uid;
                      END IF;
                      IF TG_OP IN ('UPDATE', 'INSERT') THEN
                        INSERT INTO studies_name_short_grams (gram, study_uid) \(grams("NEW.name_search", "NEW.study_uid")) ON CONFLICT DO NOTHING;
                      END IF;
                      RETURN NULL;
                    END $$
                    """,
                    """
                    CREATE TRIGGER studies_name_short_grams_sync AFTER INSERT OR DELETE OR UPDATE OF name_search, study_uid ON studies
                    FOR EACH ROW EXECUTE FUNCTION studies_name_short_grams_sync()
                    """,
                ] { try await db.raw(SQLQueryString(statement)).run() }
            }
        },
        // Exact worklist totals without counting rows: the number of exams per (hospital, department, status, modality,
        // visit type), kept in step with `studies` by triggers on both engines. A worklist whose only filters are
        // those columns (and the scope's hospital and department) sums a few hundred rows (one per group in use) instead of counting up to all
        // exams: `status = report` is 98% of 100,000 exams, a 23 ms scan on PostgreSQL. Groups that empty keep a
        // row with n = 0. Writers of one group meet on its row (PostgreSQL holds the row lock to commit): ingest
        // takes them in one order (the new exam's group, then its imaged group), so they wait, never deadlock.
        Migration(name: "010_worklist_counts") { db, engine in
            let key = "hospital_id, department, status, modality, visit_type"
            let upsert = { (row: String) in
                """
                INSERT INTO studies_counts (\(key), n) VALUES (\(row).hospital_id, \(row).department, \(row).status,
                  \(row).modality, \(row).visit_type, 1)
                ON CONFLICT (\(key)) DO UPDATE SET n = studies_counts.n + 1
                """
            }
            let decrement = { (row: String) in
                """
                UPDATE studies_counts SET n = n - 1 WHERE hospital_id = \(row).hospital_id AND department = \(row).department
                  AND status = \(row).status AND modality = \(row).modality AND visit_type = \(row).visit_type
                """
            }
            var statements = [
                "CREATE TABLE studies_counts (\(key.replacingOccurrences(of: ",", with: " TEXT NOT NULL,")) TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (\(key)))",
                "INSERT INTO studies_counts (\(key), n) SELECT \(key), COUNT(*) FROM studies GROUP BY \(key)",
            ]
            switch engine {
            case .sqlite:
                let changed = key.split(separator: ",").map { "old.\($0.trimmingCharacters(in: .whitespaces)) IS NOT new.\($0.trimmingCharacters(in: .whitespaces))" }
                statements += [
                    "CREATE TRIGGER studies_counts_insert AFTER INSERT ON studies BEGIN \(upsert("new")); END",
                    "CREATE TRIGGER studies_counts_delete AFTER DELETE ON studies BEGIN \(decrement("old")); END",
                    """
                    CREATE TRIGGER studies_counts_update AFTER UPDATE OF \(key) ON studies
                    WHEN \(changed.joined(separator: " OR ")) BEGIN
                      \(decrement("old")); \(upsert("new")); END
                    """,
                ]
            case .postgres:
                statements += [
                    """
                    CREATE FUNCTION studies_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'UPDATE' AND (OLD.hospital_id, OLD.department, OLD.status, OLD.modality, OLD.visit_type)
                        IS NOT DISTINCT FROM (NEW.hospital_id, NEW.department, NEW.status, NEW.modality, NEW.visit_type) THEN
                        RETURN NULL;
                      END IF;
                      IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        \(decrement("OLD"));
                      END IF;
                      IF TG_OP IN ('UPDATE', 'INSERT') THEN
                        \(upsert("NEW"));
                      END IF;
                      RETURN NULL;
                    END $$
                    """,
                    """
                    CREATE TRIGGER studies_counts_sync AFTER INSERT OR DELETE OR UPDATE OF \(key) ON studies
                    FOR EACH ROW EXECUTE FUNCTION studies_counts_sync()
                    """,
                ]
            }
            for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
        },
    ]
}

/// Migration 006's rewrite of a search key written before name forms were kept apart.
enum NameSearchKeyUpgrade {
    /// The key with a separator where the shown name's form meets the other one; nil when nothing changes.
    static func split(_ old: String, shown: String) -> String? {
        let form = SearchText.normalize(shown)
        guard !form.isEmpty, old != form, !old.contains(SearchText.formSeparator) else { return nil }
        let bar = String(SearchText.formSeparator)
        if old.hasSuffix(form) { return String(old.dropLast(form.count)) + bar + form }
        if old.hasPrefix(form) { return form + bar + String(old.dropFirst(form.count)) }
        return nil
    }
}
