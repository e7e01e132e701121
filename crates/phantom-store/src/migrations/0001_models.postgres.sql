-- Times are milliseconds since the Unix epoch; JSON columns hold serde_json text, kept as
-- written (jsonb would reorder keys). Version numbers are BIGINT so every u32 fits.
CREATE TABLE models (
    id             TEXT   NOT NULL,
    tenant         TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    config         TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    active_version BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CONSTRAINT models_pkey PRIMARY KEY (id),
    CONSTRAINT models_tenant_name_key UNIQUE (tenant, name)
);

CREATE TABLE model_versions (
    model_id   TEXT   NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    artifact   BYTEA  NOT NULL,
    sha256     TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    metadata   TEXT   NOT NULL,
    CONSTRAINT model_versions_pkey PRIMARY KEY (model_id, version)
);

CREATE TABLE inference_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant     TEXT   NOT NULL,
    model_id   TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    at_ms      BIGINT NOT NULL,
    input      TEXT   NOT NULL,
    output     TEXT   NOT NULL,
    latency_us BIGINT NOT NULL
);

CREATE INDEX inference_log_by_model_time ON inference_log (tenant, model_id, at_ms);
