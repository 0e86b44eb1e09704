-- The customer portal (issue 11 item 7): a customer is not a user. They prove they hold a phone with a one-time
-- code sent to it by SMS and get a customer session scoped to that phone; it sees only the applications whose
-- registered phone (applications.applicant_phone) it is.
--
-- A code is asked for a target: the phone itself ('p:<phone>') or an application's number ('n:<number>'), whose
-- code goes to the phone registered on it. A row is written for an unknown number too (phone NULL, so no code
-- can ever match): the answer, its rate limits and its wrong-try count are then the same whether the number
-- exists or not. Only a hash of the code is kept (BLAKE2b keyed by the row's id).
CREATE TABLE portal_codes (
    id           TEXT PRIMARY KEY,
    target       TEXT NOT NULL,            -- 'p:13800138000' or 'n:YK20261206-0001'
    phone        TEXT,                     -- where it was sent and what the session is scoped to; NULL: nowhere
    code_hash    TEXT NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0, -- wrong codes given; at the limit the code is dead
    client_addr  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX portal_codes_target ON portal_codes(target, created_at);
CREATE INDEX portal_codes_addr ON portal_codes(client_addr, created_at);
CREATE INDEX portal_codes_phone ON portal_codes(phone, created_at);

-- Customer sessions: only the BLAKE2b hash of the token is kept.
CREATE TABLE portal_sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    phone         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,         -- slides with use, never past created_at + the maximum
    revoked_at    BIGINT
);
CREATE INDEX portal_sessions_phone ON portal_sessions(phone);

-- Files a customer uploaded before applying: only the session's phone may hand them in with an application.
CREATE TABLE portal_uploads (
    attachment_id  TEXT PRIMARY KEY REFERENCES attachments(id),
    phone          TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
