-- Training jobs, so every engine sharing the store can report any job. Times are
-- milliseconds since the Unix epoch; states are the engine's names for them. `owner` is the
-- engine instance running the job; it refreshes `heartbeat_at` while the job is unfinished,
-- so a reader can tell a job whose engine stopped from one still running.
CREATE TABLE training_jobs (
    id           TEXT   NOT NULL,
    tenant       TEXT   NOT NULL,
    model_id     TEXT   NOT NULL,
    state        TEXT   NOT NULL,
    steps_done   BIGINT NOT NULL,
    steps_total  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    version      BIGINT,
    error        TEXT,
    owner        TEXT   NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    CONSTRAINT training_jobs_pkey PRIMARY KEY (id)
);

CREATE INDEX training_jobs_unfinished_by_owner ON training_jobs (owner)
    WHERE state IN ('queued', 'running');
