-- When the system is down (R1.4, issue 13 item 7): field work done on paper is entered afterwards as a backfill —
-- the paper's original times, crew, ticket number and a photo of the form, with who entered it — and the team's
-- leader reviews it. An approved backfill becomes a finished job (plans) and a done work order, each marked with
-- backfill_id, so every read of field work (the board, the large screen, the on-time rate) counts it and can tell it
-- apart without a copy of its own. A pending or rejected one is only here and counts nowhere.
CREATE TABLE backfills (
    id                   TEXT PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,          -- BL20261206-0001
    status               TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    team_id              TEXT NOT NULL REFERENCES org_units(id),
    leader_id            TEXT NOT NULL REFERENCES users(id),
    onsite_supervisor_id TEXT REFERENCES users(id),        -- high-risk work: who watched it on site (R3.10)
    kind                 TEXT NOT NULL,                 -- a work kind of data/kb/work_kinds.json
    ticket_kind          TEXT NOT NULL,                 -- a ticket kind of data/kb/ticket_kinds.json
    title                TEXT NOT NULL,
    place                TEXT NOT NULL,
    content              TEXT,
    outage_note          TEXT,                          -- why the work was on paper (the system down since …)
    paper_ticket_no      TEXT NOT NULL,
    ticket_issued_at     BIGINT NOT NULL,
    ticket_permitted_at  BIGINT NOT NULL,
    briefing_held_at     BIGINT NOT NULL,
    work_started_at      BIGINT NOT NULL,
    work_finished_at     BIGINT NOT NULL,
    ticket_ended_at      BIGINT NOT NULL,
    date                 TEXT NOT NULL,                 -- YYYY-MM-DD (Asia/Shanghai) of work_started_at
    entered_by           TEXT NOT NULL REFERENCES users(id),
    entered_at           BIGINT NOT NULL,
    reviewed_by          TEXT REFERENCES users(id),
    reviewed_at          BIGINT,
    reject_reason        TEXT,
    plan_id              TEXT REFERENCES plans(id),
    work_order_id        TEXT REFERENCES work_orders(id),
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX backfills_status ON backfills(status, team_id);
-- one paper ticket is entered once; a rejected entry frees its number for the corrected one
CREATE UNIQUE INDEX backfills_paper_ticket ON backfills(paper_ticket_no) WHERE status <> 'rejected';

CREATE TABLE backfill_crew (
    backfill_id  TEXT NOT NULL REFERENCES backfills(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (backfill_id, user_id)
);

CREATE TABLE backfill_photos (
    backfill_id    TEXT NOT NULL REFERENCES backfills(id),
    attachment_id  TEXT NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (backfill_id, attachment_id)
);

-- the mark on the real records an approved backfill made
ALTER TABLE plans ADD COLUMN backfill_id TEXT;
ALTER TABLE work_orders ADD COLUMN backfill_id TEXT;

-- A complaint flagged sensitive (R1.4, item 7): the complainant's contact and words are shown only to its handlers
-- and to who flagged it.
ALTER TABLE feedback_items ADD COLUMN contact_address TEXT;
ALTER TABLE feedback_items ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_items ADD COLUMN sensitive_reason TEXT;
ALTER TABLE feedback_items ADD COLUMN sensitive_by TEXT REFERENCES users(id);
ALTER TABLE feedback_items ADD COLUMN sensitive_at BIGINT;

CREATE TABLE feedback_handlers (
    item_id  TEXT NOT NULL REFERENCES feedback_items(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX feedback_handlers_user ON feedback_handlers(user_id);
