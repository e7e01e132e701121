-- Signed evidence bundles, kept exactly as they were handed out. `bundle` holds the bytes of
-- the signed JSON the engine returned, `sha256` their SHA-256 (checked on every read) and
-- `size` their length; `query_from`, `query_to` and `query_stream` are the range and stream
-- the bundle was asked for, and `anomaly_count` how many anomalies it holds. `seq` orders
-- bundles as they were stored (newest first in listings, and the cursor of their pages).
-- Rows are never changed. Times are milliseconds since the Unix epoch.
CREATE TABLE evidence_bundles (
    seq           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    tenant        TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    query_from    BIGINT,
    query_to      BIGINT  NOT NULL,
    query_stream  TEXT,
    anomaly_count BIGINT  NOT NULL,
    sha256        TEXT    NOT NULL,
    size          BIGINT  NOT NULL,
    bundle        BYTEA   NOT NULL
);

CREATE INDEX evidence_bundles_by_tenant ON evidence_bundles (tenant, seq);
