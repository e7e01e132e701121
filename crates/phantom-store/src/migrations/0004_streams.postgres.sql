-- Telemetry streams and the anomalies found in them. A stream is named by `key` within its
-- tenant; `settings` is the engine's detector configuration (JSON) and `state` its detector
-- state (opaque bytes), so a restarted engine resumes from the same baseline. `version`
-- rises by one on every write: a writer names the version it read, so two engines never
-- overwrite each other's progress. Times are milliseconds since the Unix epoch.
CREATE TABLE streams (
    tenant      TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    signal      TEXT    NOT NULL,
    settings    TEXT    NOT NULL,
    state       BYTEA,
    events_seen BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant, key)
);

-- `seq` orders anomalies as they were stored (newest first in listings, and the live feed's
-- cursor). One detector reports a window once: (tenant, stream_key, detector, last_event) is
-- unique, so replaying the same events cannot report the same anomaly twice.
CREATE TABLE anomalies (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    tenant      TEXT    NOT NULL,
    stream_key  TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    signal      TEXT    NOT NULL,
    detector    TEXT    NOT NULL,
    first_event BIGINT NOT NULL,
    last_event  BIGINT NOT NULL,
    event_time  BIGINT,
    detected_at BIGINT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    p_value     DOUBLE PRECISION,
    status      TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    explanation TEXT    NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant, stream_key, detector, last_event)
);

CREATE INDEX anomalies_by_tenant ON anomalies (tenant, seq);
