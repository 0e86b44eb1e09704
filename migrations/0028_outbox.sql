-- Notification outbox (issue 11 item 8, src/shared/notify/outbox.c): a message to deliver is a row written in the
-- same transaction as the event that causes it, so a rolled-back event sends nothing and a committed one is never
-- lost. The scheduler job notify.deliver sends what is due (SMS gateway, WeChat-style template messages) with
-- exponential backoff; after the channel's last attempt the message is parked (state dead) for an admin, who sees
-- it in the delivery log and may retry it. In-app messages are delivered inside the writer's transaction (a row of
-- notifications) and recorded here as sent, so the log shows every channel.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,       -- UUIDv7: ORDER BY id is the order they were queued in
    channel          TEXT NOT NULL,          -- inapp | sms | wechat
    recipient        TEXT NOT NULL,          -- user id (inapp), phone (sms), openid (wechat)
    kind             TEXT NOT NULL,          -- "verification_code": picks the channel's template
    params           TEXT NOT NULL,          -- JSON object filling the template; sensitive ones scrubbed once sent
    state            TEXT NOT NULL,          -- queued | sending | sent | failed | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    claim            TEXT,                   -- the sender holding it (state sending), so two nodes never both send
    claimed_at       BIGINT,
    provider_id      TEXT,                   -- the gateway's message id, matched by delivery receipts
    receipt_status   TEXT,                   -- delivered | failed, from the gateway's receipt
    receipt_error    TEXT,
    receipt_at       BIGINT,
    entity           TEXT,
    entity_id        TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_provider ON outbox(channel, provider_id);
CREATE INDEX outbox_recipient ON outbox(recipient, id);

-- One row per delivery attempt: the delivery log's detail (what the gateway answered, how long it took).
CREATE TABLE outbox_attempts (
    id           TEXT PRIMARY KEY,
    outbox_id    TEXT NOT NULL REFERENCES outbox(id),
    n            INTEGER NOT NULL,
    at           BIGINT NOT NULL,
    ok           INTEGER NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
CREATE INDEX outbox_attempts_msg ON outbox_attempts(outbox_id, n);

-- Channel configuration (admins, PUT /api/v1/notify/channels/{channel}). credential and receipt_key are secrets:
-- never returned by any API nor written to the audit log; FIELDGRID_SMS_CREDENTIAL, FIELDGRID_SMS_RECEIPT_KEY and
-- FIELDGRID_WECHAT_CREDENTIAL override them (docs/operations.md). templates: {kind: template} (see docs/api.md).
CREATE TABLE notify_channels (
    channel        TEXT PRIMARY KEY,
    enabled        INTEGER NOT NULL,
    url            TEXT,
    username       TEXT,
    credential     TEXT,
    receipt_key    TEXT,
    templates      TEXT NOT NULL,
    max_attempts   INTEGER NOT NULL,
    backoff_s      INTEGER NOT NULL,
    backoff_max_s  INTEGER NOT NULL,
    timeout_ms     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     BIGINT NOT NULL
);
INSERT INTO notify_channels (channel, enabled, templates, max_attempts, backoff_s, backoff_max_s, timeout_ms, updated_at)
VALUES ('inapp', 1, '{}', 1, 0, 0, 0, 0),
       ('sms', 0, '{"verification_code":"【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。"}', 6, 30, 3600, 10000, 0),
       ('wechat', 0, '{}', 6, 30, 3600, 10000, 0);
