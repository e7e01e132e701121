-- Tenants, users, API keys, the audit log and shared settings. Times are milliseconds since
-- the Unix epoch; roles and results are the engine's names for them.
CREATE TABLE tenants (
    name       TEXT   NOT NULL,
    quotas     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT tenants_pkey PRIMARY KEY (name)
);

CREATE TABLE users (
    tenant        TEXT   NOT NULL REFERENCES tenants (name),
    username      TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (tenant, username)
);

-- A key is found by its prefix (unique), then its secret's hash is compared.
CREATE TABLE api_keys (
    id                    TEXT   NOT NULL,
    tenant                TEXT   NOT NULL REFERENCES tenants (name),
    name                  TEXT   NOT NULL,
    prefix                TEXT   NOT NULL,
    secret_hash           TEXT   NOT NULL,
    role                  TEXT   NOT NULL,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT,
    revoked_at            BIGINT,
    rate_limit_per_second BIGINT,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at);

-- No foreign key to tenants: a denied request may name a tenant that does not exist.
CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant     TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    resource   TEXT   NOT NULL,
    result     TEXT   NOT NULL,
    request_id TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    source     TEXT,
    detail     TEXT
);

CREATE INDEX audit_log_by_tenant_time ON audit_log (tenant, at);

-- The audit log is append-only, even for someone with SQL access through Phantom's own
-- role: changing, deleting or truncating records fails.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE settings (
    name  TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT settings_pkey PRIMARY KEY (name)
);
