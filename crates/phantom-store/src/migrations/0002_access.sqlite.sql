-- Tenants, users, API keys, the audit log and shared settings. Times are milliseconds since
-- the Unix epoch; roles and results are the engine's names for them.
CREATE TABLE tenants (
    name       TEXT    NOT NULL PRIMARY KEY,
    quotas     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    tenant        TEXT    NOT NULL REFERENCES tenants (name),
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant, username)
) STRICT;

-- A key is found by its prefix (unique), then its secret's hash is compared.
CREATE TABLE api_keys (
    id                    TEXT    NOT NULL PRIMARY KEY,
    tenant                TEXT    NOT NULL REFERENCES tenants (name),
    name                  TEXT    NOT NULL,
    prefix                TEXT    NOT NULL UNIQUE,
    secret_hash           TEXT    NOT NULL,
    role                  TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER,
    revoked_at            INTEGER,
    rate_limit_per_second INTEGER
) STRICT;

CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at);

-- No foreign key to tenants: a denied request may name a tenant that does not exist.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    resource   TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    request_id TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    source     TEXT,
    detail     TEXT
) STRICT;

CREATE INDEX audit_log_by_tenant_time ON audit_log (tenant, at);

-- The audit log is append-only, even for someone with SQL access through Phantom's own
-- connection: changing or deleting a record fails.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
