-- Issue 13 items 5 and 6: emergency plans and drills (R2.14, R4.6; safety context, src/safety/drills) and the
-- company-level emergency mode (R1.4; field-work context, src/fieldwork/emergency).

-- A plan per kind of emergency (data/emergency/kinds.json), its content and attachments, reviewed by a date.
CREATE TABLE emergency_plans (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    content      TEXT NOT NULL,
    attachment_ids TEXT,                          -- JSON array of attachments(id)
    org_unit_id  TEXT REFERENCES org_units(id),   -- whose plan (NULL: the company's)
    review_on    TEXT,                            -- next review date YYYY-MM-DD
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX emergency_plans_kind ON emergency_plans(kind);

-- A drill of a plan: scheduled, then recorded once (attendance, findings, improvements) or cancelled.
CREATE TABLE drills (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    plan_id      TEXT NOT NULL REFERENCES emergency_plans(id),
    date         TEXT NOT NULL,
    place        TEXT NOT NULL,
    scenario     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'recorded', 'cancelled')),
    findings     TEXT,
    recorded_by  TEXT REFERENCES users(id),
    recorded_at  BIGINT,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX drills_date ON drills(date);
CREATE INDEX drills_plan ON drills(plan_id);

CREATE TABLE drill_attendance (
    drill_id     TEXT NOT NULL REFERENCES drills(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    present      INTEGER NOT NULL,
    PRIMARY KEY (drill_id, user_id)
);

CREATE TABLE drill_improvements (
    id           TEXT PRIMARY KEY,
    drill_id     TEXT NOT NULL REFERENCES drills(id),
    seq          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES users(id),
    due_on       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_by    TEXT REFERENCES users(id),
    closed_at    BIGINT,
    close_note   TEXT,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX drill_improvements_drill ON drill_improvements(drill_id);

-- A declared emergency: active → review_due (ended) → closed (reviewed).
CREATE TABLE emergencies (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    note          TEXT,
    fault_kinds   TEXT NOT NULL,                  -- JSON array of data/emergency/fault_kits.json codes
    status        TEXT NOT NULL CHECK (status IN ('active', 'review_due', 'closed')),
    declared_by   TEXT NOT NULL REFERENCES users(id),
    declared_at   BIGINT NOT NULL,
    ended_by      TEXT REFERENCES users(id),
    ended_at      BIGINT,
    end_note      TEXT,
    review_due_at BIGINT,
    findings      TEXT,
    lessons       TEXT,
    reviewed_by   TEXT REFERENCES users(id),
    reviewed_at   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX emergencies_status ON emergencies(status);

CREATE TABLE emergency_areas (
    emergency_id TEXT NOT NULL REFERENCES emergencies(id),
    org_unit_id  TEXT NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (emergency_id, org_unit_id)
);
CREATE TABLE emergency_work_kinds (
    emergency_id TEXT NOT NULL REFERENCES emergencies(id),
    work_kind    TEXT NOT NULL,
    PRIMARY KEY (emergency_id, work_kind)
);

-- One row every declaration (and every use of an emergency's scope) locks first: two declarations whose scopes
-- overlap, racing on PostgreSQL, see each other (SQLite: BEGIN IMMEDIATE already serialises them).
CREATE TABLE emergency_locks (id TEXT PRIMARY KEY);
INSERT INTO emergency_locks (id) VALUES ('declare');

-- What an emergency relaxed, on the record of the work it touched; never rewritten (history is history).
CREATE TABLE emergency_relaxations (
    id            TEXT PRIMARY KEY,
    emergency_id  TEXT NOT NULL REFERENCES emergencies(id),
    relaxation    TEXT NOT NULL,
    plan_id       TEXT,
    ticket_id     TEXT,
    work_order_id TEXT,
    created_by    TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX emergency_relaxations_plan ON emergency_relaxations(plan_id);
CREATE INDEX emergency_relaxations_ticket ON emergency_relaxations(ticket_id);
CREATE INDEX emergency_relaxations_order ON emergency_relaxations(work_order_id);

-- The on-call roster: who is reachable, for what, from when to when.
CREATE TABLE on_call (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    duty         TEXT NOT NULL,
    org_unit_id  TEXT REFERENCES org_units(id),
    from_at      BIGINT NOT NULL,
    to_at        BIGINT NOT NULL,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX on_call_window ON on_call(to_at, from_at);
