-- In-app notifications (R3.6 reminders): one row per person and event; dedupe_key keeps a daily run from saying
-- the same thing twice (e.g. "tool GJ-01 due in 7 days, due 2026-12-01").
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT,
    entity      TEXT,
    entity_id   TEXT,
    dedupe_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);
