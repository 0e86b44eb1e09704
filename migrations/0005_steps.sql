-- Guided field steps (R3.9): each work order on a running plan follows its work kind's SOP; each step records
-- its result, the readings the SOP asks for, and photos (attachments, entity 'step').
CREATE TABLE job_steps (
    id             TEXT PRIMARY KEY,
    plan_id        TEXT NOT NULL REFERENCES plans(id),
    work_order_id  TEXT NOT NULL REFERENCES work_orders(id),
    sop            TEXT NOT NULL,
    step_no        INTEGER NOT NULL,
    title          TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('ok', 'nonconforming')),
    records        TEXT NOT NULL,      -- JSON object key → value, as the SOP step defines them
    note           TEXT,
    done_by        TEXT NOT NULL REFERENCES users(id),
    done_at        BIGINT NOT NULL,
    UNIQUE (work_order_id, step_no)
);
CREATE INDEX job_steps_plan ON job_steps(plan_id);

CREATE TABLE job_step_photos (
    step_id        TEXT NOT NULL REFERENCES job_steps(id),
    attachment_id  TEXT NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (step_id, attachment_id)
);

-- Supervision (R3.10): findings against a job and its ticket, made on site or by video, graded.
CREATE TABLE findings (
    id           TEXT PRIMARY KEY,
    plan_id      TEXT NOT NULL REFERENCES plans(id),
    ticket_id    TEXT REFERENCES tickets(id),
    kind         TEXT NOT NULL CHECK (kind IN ('violation', 'observation', 'good_practice')),
    severity     TEXT NOT NULL CHECK (severity IN ('general', 'serious', 'grave')),
    method       TEXT NOT NULL CHECK (method IN ('onsite', 'video')),
    description  TEXT NOT NULL,
    found_by     TEXT NOT NULL REFERENCES users(id),
    found_at     BIGINT NOT NULL
);
CREATE INDEX findings_plan ON findings(plan_id);

-- Every ended ticket is evaluated (R2.1: 100 % of business-expansion and metering tickets).
CREATE TABLE ticket_evaluations (
    ticket_id     TEXT PRIMARY KEY REFERENCES tickets(id),
    qualified     INTEGER NOT NULL,
    reasons       TEXT NOT NULL,      -- JSON array of texts
    evaluator_id  TEXT NOT NULL REFERENCES users(id),
    evaluated_at  BIGINT NOT NULL
);
