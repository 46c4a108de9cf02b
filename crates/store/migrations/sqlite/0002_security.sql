-- Accounts, sessions, API tokens, sign-in attempts, the audit log and the first table of
-- personal data (persons, with identifying fields sealed by the application).
-- Same version and shape as ../postgres/0002_security.sql.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'province_officer', 'commune_officer', 'leader', 'partner', 'auditor')),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    -- A leader sees personal details only when granted.
    personal_data_granted BOOLEAN NOT NULL DEFAULT FALSE,
    lang TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
    -- Sealed TOTP secret (vault), NULL when two-factor is not set up.
    totp_secret TEXT,
    totp_last_step INTEGER,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- TRUE between a correct password and a correct second factor.
    totp_pending BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- Append-only, hash-chained. Written only through store::audit::append.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    ip TEXT NOT NULL,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_us);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- The head of the chain: one row, updated in the same transaction as each append, which
-- serialises appends on both engines.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    residence_unit_id INTEGER NOT NULL REFERENCES units (id),
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_year INTEGER NOT NULL,
    ethnicity TEXT NOT NULL,
    -- Sealed (vault AEAD) identifying fields; never stored in clear.
    id_number_sealed TEXT,
    full_name_sealed TEXT NOT NULL,
    birth_date_sealed TEXT,
    address_sealed TEXT,
    phone_sealed TEXT,
    notes_sealed TEXT,
    -- Keyed blind indexes for exact-match search.
    id_number_index TEXT UNIQUE,
    name_index TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_residence ON persons (residence_unit_id);
CREATE INDEX persons_name_index ON persons (name_index);

-- The audit log cannot be changed through SQL the application runs; someone with direct
-- access to the file can still drop these triggers, which `diaban audit verify` detects
-- through the hash chain.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
