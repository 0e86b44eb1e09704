-- Joint acceptance and the one customer manager of an application (issue 11 items 5–6; R0.2, R2.6, R2.7).
--
-- An acceptance record is one inspection of one application (design review, intermediate inspection, completion
-- inspection), with the checklist of every department taking part (data/acceptance/checklists.json) copied onto it
-- when it is opened: the list the departments sign is the one they were given, whatever the file says later.
-- Routine items are sampled at the record's rate when it is opened (sampled = 1: to be checked); the others always
-- are. A failed inspection keeps its record; the re-inspection opens the next round.
CREATE TABLE application_acceptances (
    id                  TEXT PRIMARY KEY,
    application_id      TEXT NOT NULL REFERENCES applications(id),
    stage               TEXT NOT NULL CHECK (stage IN ('design_review', 'mid_inspection', 'completion')),
    round               INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'passed', 'failed')),
    sample_rate         INTEGER NOT NULL CHECK (sample_rate BETWEEN 0 AND 100), -- percent of the routine items checked
    first_inspector_id  TEXT REFERENCES users(id),    -- completion: the first-inspection owner (首检负责制)
    note                TEXT,
    created_by          TEXT NOT NULL REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    closed_at           BIGINT,                       -- the last department signed
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    UNIQUE (application_id, stage, round)
);
CREATE INDEX application_acceptances_app ON application_acceptances(application_id, stage);

CREATE TABLE application_acceptance_items (
    id             TEXT PRIMARY KEY,
    acceptance_id  TEXT NOT NULL REFERENCES application_acceptances(id),
    position       INTEGER NOT NULL,
    department     TEXT NOT NULL,
    code           TEXT NOT NULL,
    text_zh        TEXT NOT NULL,
    text_en        TEXT NOT NULL,
    routine        INTEGER NOT NULL DEFAULT 0,
    sampled        INTEGER NOT NULL DEFAULT 1,        -- to be checked: every non-routine item, the sampled routine ones
    result         TEXT CHECK (result IS NULL OR result IN ('pass', 'fail')),
    note           TEXT,
    checked_by     TEXT REFERENCES users(id),
    checked_at     BIGINT,
    UNIQUE (acceptance_id, code)
);

-- A department's signature on its part of a record: final (no route changes or removes it).
CREATE TABLE application_acceptance_signatures (
    id             TEXT PRIMARY KEY,
    acceptance_id  TEXT NOT NULL REFERENCES application_acceptances(id),
    department     TEXT NOT NULL,
    signed_by      TEXT NOT NULL REFERENCES users(id),
    signed_at      BIGINT NOT NULL,
    note           TEXT,
    UNIQUE (acceptance_id, department)
);

-- Hazards and defects found on the customer's installation (缺陷/隐患): each with a deadline for the rectification,
-- closed only with evidence (attachments). An open one blocks the power-on.
CREATE TABLE application_hazards (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    acceptance_id   TEXT REFERENCES application_acceptances(id),
    department      TEXT,
    severity        TEXT NOT NULL CHECK (severity IN ('general', 'major')),
    description     TEXT NOT NULL,
    deadline        TEXT NOT NULL,                    -- YYYY-MM-DD, Shanghai: rectified by the end of that day
    status          TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    found_by        TEXT NOT NULL REFERENCES users(id),
    found_at        BIGINT NOT NULL,
    closed_by       TEXT REFERENCES users(id),
    closed_at       BIGINT,
    closing_note    TEXT,
    evidence        TEXT,                             -- JSON array of attachments ids
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX application_hazards_app ON application_hazards(application_id, status);

-- Outage and power-on requests for an HV customer, made by the application's one customer manager (R2.6) and
-- confirmed by the customer: who confirmed, how and when.
CREATE TABLE application_manager_requests (
    id                 TEXT PRIMARY KEY,
    application_id     TEXT NOT NULL REFERENCES applications(id),
    kind               TEXT NOT NULL CHECK (kind IN ('outage', 'power_on')),
    planned_at         BIGINT NOT NULL,
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'cancelled')),
    requested_by       TEXT NOT NULL REFERENCES users(id),
    requested_at       BIGINT NOT NULL,
    confirmed_by_name  TEXT,                          -- the customer's person who confirmed
    confirm_method     TEXT CHECK (confirm_method IS NULL OR confirm_method IN ('phone', 'onsite_signature', 'portal')),
    confirmed_at       BIGINT,
    confirm_attachment_id TEXT REFERENCES attachments(id), -- the signed sheet (on-site signature)
    recorded_by        TEXT REFERENCES users(id),     -- who recorded it (NULL: the customer through the portal)
    recorded_at        BIGINT,
    cancelled_at       BIGINT,
    cancel_reason      TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX application_manager_requests_app ON application_manager_requests(application_id, kind, status);
