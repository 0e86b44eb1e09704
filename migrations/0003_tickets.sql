-- Field work (issue 3), second part: attachments, work tickets with risks, measures and signatures, signing
-- keys, pre-shift meetings.

-- Files are stored content-addressed under the data directory (attachments/ab/abcdef…); rows say what they are
-- and what they belong to.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    sha256        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    filename      TEXT,
    entity        TEXT,
    entity_id     TEXT,
    uploaded_by   TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX attachments_entity ON attachments(entity, entity_id);

CREATE TABLE tickets (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    plan_id          TEXT NOT NULL REFERENCES plans(id),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    leader_id        TEXT NOT NULL REFERENCES users(id),
    issuer_id        TEXT REFERENCES users(id),
    permitter_id     TEXT REFERENCES users(id),
    place            TEXT NOT NULL,
    content          TEXT NOT NULL,
    risk_level       INTEGER NOT NULL,
    outage_scope     TEXT,
    live_parts       TEXT,
    permit_method    TEXT,
    planned_start    BIGINT NOT NULL,
    planned_end      BIGINT NOT NULL,
    extensions       INTEGER NOT NULL DEFAULT 0,
    issued_at        BIGINT,
    received_at      BIGINT,
    permitted_at     BIGINT,
    work_started_at  BIGINT,
    ended_at         BIGINT,
    archived_at      BIGINT,
    end_note         TEXT,
    void_reason      TEXT,
    created_by       TEXT REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_plan ON tickets(plan_id);
CREATE INDEX tickets_leader ON tickets(leader_id, status);

CREATE TABLE ticket_crew (
    ticket_id  TEXT NOT NULL REFERENCES tickets(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (ticket_id, user_id)
);

-- Risk points of the job, confirmed one by one on site before work (R3.8), with an optional photo as evidence.
CREATE TABLE ticket_risks (
    id             TEXT PRIMARY KEY,
    ticket_id      TEXT NOT NULL REFERENCES tickets(id),
    seq            INTEGER NOT NULL,
    risk_id        TEXT,
    hazard         TEXT NOT NULL,
    level          INTEGER NOT NULL,
    confirmed_by   TEXT REFERENCES users(id),
    confirmed_at   BIGINT,
    evidence_id    TEXT REFERENCES attachments(id)
);
CREATE INDEX ticket_risks_ticket ON ticket_risks(ticket_id);

-- Safety measures, ticked off item by item (who, when) and supplemented on site (R3.5).
CREATE TABLE ticket_measures (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets(id),
    seq         INTEGER NOT NULL,
    risk_id     TEXT,
    text        TEXT NOT NULL,
    supplement  INTEGER NOT NULL DEFAULT 0,
    added_by    TEXT REFERENCES users(id),
    added_at    BIGINT,
    done_by     TEXT REFERENCES users(id),
    done_at     BIGINT
);
CREATE INDEX ticket_measures_ticket ON ticket_measures(ticket_id);

CREATE TABLE ticket_photos (
    ticket_id      TEXT NOT NULL REFERENCES tickets(id),
    attachment_id  TEXT NOT NULL REFERENCES attachments(id),
    purpose        TEXT NOT NULL,
    PRIMARY KEY (ticket_id, attachment_id)
);

-- Each signer's Ed25519 key. The secret half is sealed with a key derived from the signer's own password, so
-- the server cannot sign for anyone who does not re-enter their password. A new password makes a new key;
-- old rows stay, so old signatures still verify.
CREATE TABLE signing_keys (
    user_id        TEXT NOT NULL REFERENCES users(id),
    public_key     TEXT NOT NULL,
    sealed_secret  TEXT NOT NULL,
    salt           TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, public_key)
);

CREATE TABLE signatures (
    id            TEXT PRIMARY KEY,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    role          TEXT NOT NULL,
    signer_id     TEXT NOT NULL REFERENCES users(id),
    signed_at     BIGINT NOT NULL,
    content_hash  TEXT NOT NULL,
    public_key    TEXT NOT NULL,
    signature     TEXT NOT NULL
);
CREATE INDEX signatures_entity ON signatures(entity, entity_id);

-- The pre-shift meeting (班前会, R3.7): generated from the knowledge base, held by the leader, signed by all.
CREATE TABLE briefings (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL UNIQUE REFERENCES plans(id),
    content     TEXT NOT NULL,
    held_by     TEXT REFERENCES users(id),
    held_at     BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE briefing_attendance (
    briefing_id  TEXT NOT NULL REFERENCES briefings(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    signed_at    BIGINT NOT NULL,
    PRIMARY KEY (briefing_id, user_id)
);
