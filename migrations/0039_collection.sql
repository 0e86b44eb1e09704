-- Collection anomalies and success rates (issue 12 item 5, R0.7; the collection module, src/metering/collection).
--
-- The collection system (用电信息采集系统) calls fieldgrid with its own key, never a user session: an admin of the
-- metering centre creates and revokes keys; only a salted BLAKE2b hash of the secret is kept (secret_hash
-- "b2$<salt hex>$<hash hex>", as the chargers' keys).
CREATE TABLE collection_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    revoked_by   TEXT REFERENCES users(id),
    revoked_at   BIGINT,
    last_used_at BIGINT,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);

-- One row per event the collection system reported, by its own event id (event_id, unique: a replayed event is
-- recognised and changes nothing). signal: alarm (the condition is present) or restored (readings back to normal).
-- subject: what the anomaly is about — "point:<point_no>", or "terminal:<terminal_no>" for a communication failure
-- that names its concentrator (several points behind one terminal make one anomaly). outcome: what the event did
-- (raised, repeated, reopened, closed, stale = older than what is already known for the subject and kind, none =
-- a restored signal with nothing open). source: api (the collection system) or file (a staff import, import_by).
CREATE TABLE collection_events (
    id                TEXT PRIMARY KEY,
    event_id          TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    signal            TEXT NOT NULL CHECK (signal IN ('alarm', 'restored')),
    point_no          TEXT NOT NULL,
    terminal_no       TEXT,
    transformer_area  TEXT,
    subject           TEXT NOT NULL,
    occurred_at       BIGINT NOT NULL,
    detail            TEXT,
    source            TEXT NOT NULL CHECK (source IN ('api', 'file')),
    key_id            TEXT REFERENCES collection_keys(id),
    import_by         TEXT REFERENCES users(id),
    anomaly_id        TEXT,
    outcome           TEXT NOT NULL,
    received_at       BIGINT NOT NULL
);
CREATE INDEX collection_events_subject ON collection_events(subject, kind, occurred_at);
CREATE INDEX collection_events_anomaly ON collection_events(anomaly_id);

-- An anomaly: one per subject and kind while it is open (the partial unique index holds that even for two writers),
-- debounced as the charger alarms are (src/charging/faults/alarms.c): the same condition again while open only
-- counts (occurrences, last_at); a relapse within the flap window after a restore reopens the same anomaly.
-- state: open → closed (closed_reason restored | work_finished). work_order_id: its one collection_fault work order
-- (field work's, read through work_order_summaries). order_settled: the order's fate after a restore has been
-- decided (cancelled when not yet in the field, or left to the crew) — done once the flap window has passed.
CREATE TABLE collection_anomalies (
    id                TEXT PRIMARY KEY,
    subject           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    point_no          TEXT NOT NULL,
    terminal_no       TEXT,
    transformer_area  TEXT,
    state             TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    occurrences       BIGINT NOT NULL DEFAULT 1,
    raised_at         BIGINT NOT NULL,
    last_at           BIGINT NOT NULL,
    closed_at         BIGINT,
    closed_reason     TEXT CHECK (closed_reason IN ('restored', 'work_finished')),
    order_settled     INTEGER NOT NULL DEFAULT 0,
    work_order_id     TEXT,
    due_at            BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX collection_anomalies_one_open ON collection_anomalies(subject, kind) WHERE state = 'open';
CREATE INDEX collection_anomalies_subject ON collection_anomalies(subject, kind, closed_at);
CREATE INDEX collection_anomalies_order ON collection_anomalies(work_order_id);
CREATE INDEX collection_anomalies_state ON collection_anomalies(state, transformer_area);

-- The collection system's daily figures per transformer area (台区): meters expected to report and those that
-- did. A later post for the same day and area replaces the figures (the system recounts late readings).
CREATE TABLE collection_daily (
    day               TEXT NOT NULL,
    transformer_area  TEXT NOT NULL,
    expected          BIGINT NOT NULL CHECK (expected >= 0),
    collected         BIGINT NOT NULL CHECK (collected >= 0),
    key_id            TEXT REFERENCES collection_keys(id),
    received_at       BIGINT NOT NULL,
    PRIMARY KEY (day, transformer_area)
);

-- One row the ingest locks so that batches run one after another (dedup and debounce read-check-write).
CREATE TABLE collection_ingest_lock (
    id  TEXT PRIMARY KEY
);
INSERT INTO collection_ingest_lock (id) VALUES ('ingest');
