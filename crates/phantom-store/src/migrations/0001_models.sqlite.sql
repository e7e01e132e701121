-- Times are milliseconds since the Unix epoch; JSON columns hold serde_json text.
CREATE TABLE models (
    id             TEXT    NOT NULL PRIMARY KEY,
    tenant         TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    config         TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    active_version INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (tenant, name)
) STRICT;

CREATE TABLE model_versions (
    model_id   TEXT    NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    artifact   BLOB    NOT NULL,
    sha256     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    metadata   TEXT    NOT NULL,
    PRIMARY KEY (model_id, version)
) STRICT;

CREATE TABLE inference_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT    NOT NULL,
    model_id   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    input      TEXT    NOT NULL,
    output     TEXT    NOT NULL,
    latency_us INTEGER NOT NULL
) STRICT;

CREATE INDEX inference_log_by_model_time ON inference_log (tenant, model_id, at_ms);
