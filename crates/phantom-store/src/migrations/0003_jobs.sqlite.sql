-- Training jobs, so every engine sharing the store can report any job. Times are
-- milliseconds since the Unix epoch; states are the engine's names for them. `owner` is the
-- engine instance running the job; it refreshes `heartbeat_at` while the job is unfinished,
-- so a reader can tell a job whose engine stopped from one still running.
CREATE TABLE training_jobs (
    id           TEXT    NOT NULL PRIMARY KEY,
    tenant       TEXT    NOT NULL,
    model_id     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    steps_done   INTEGER NOT NULL,
    steps_total  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    version      INTEGER,
    error        TEXT,
    owner        TEXT    NOT NULL,
    heartbeat_at INTEGER NOT NULL
) STRICT;

CREATE INDEX training_jobs_unfinished_by_owner ON training_jobs (owner)
    WHERE state IN ('queued', 'running');
