-- Writes from devices carry an Idempotency-Key (DESIGN.md §5, §9): a phone replaying its offline outbox gets the
-- first answer again instead of doing the work twice. status 0 = the first request is still running.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL REFERENCES users(id),
    key         TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
