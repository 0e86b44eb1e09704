-- Site surveys (现场勘察, R3.3): what the leader found before the work — place and content, the outage scope,
-- the parts that stay live, risk points and safety measures — with photos (attachments, entity 'survey').
CREATE TABLE surveys (
    id            TEXT PRIMARY KEY,
    plan_id       TEXT NOT NULL UNIQUE REFERENCES plans(id),
    place         TEXT NOT NULL,
    content       TEXT NOT NULL,
    outage_scope  TEXT,
    live_parts    TEXT,
    risks         TEXT NOT NULL,   -- JSON array of {"hazard","level","measures":[…]} found on site
    measures      TEXT NOT NULL,   -- JSON array of safety measure texts
    notes         TEXT,
    surveyed_by   TEXT NOT NULL REFERENCES users(id),
    surveyed_at   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
