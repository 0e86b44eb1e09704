-- High-risk and important customers (issue 13 items 1 and 2; R2.9–R2.11, R2.13): the ledger keyed to the customer
-- registry, and the periodic safety checks (用电检查) generated from it by rule (src/customer/hrcust).

-- One ledger entry per customer. Sources, emergency power, dual-power registrations and electricians are short
-- lists the ledger shows whole, kept as JSON text (the module checks their shape); the grade's supply rule and the
-- emergency power's share of the 保安 load are judged when read (flags), never refused.
CREATE TABLE hr_customers (
    customer_id            TEXT PRIMARY KEY REFERENCES customers(id),
    grade                  TEXT NOT NULL CHECK (grade IN ('special', 'first', 'second', 'temporary', 'hv35', 'hv10')),
    voltage_level          TEXT NOT NULL,
    industry               TEXT,
    sources                TEXT NOT NULL DEFAULT '[]',
    emergency_power        TEXT NOT NULL DEFAULT '[]',
    security_load_kw       BIGINT,
    dual_power             TEXT NOT NULL DEFAULT '[]',
    electricians           TEXT NOT NULL DEFAULT '[]',
    emergency_plan_id      TEXT REFERENCES attachments(id),
    suspected              INTEGER NOT NULL DEFAULT 0,
    suspected_reason       TEXT,
    suspected_by           TEXT CHECK (suspected_by IN ('rule', 'hand')),
    event_start            TEXT,
    event_end              TEXT,
    last_checked_on        TEXT NOT NULL,
    note                   TEXT,
    created_by             TEXT REFERENCES users(id),
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX hr_customers_grade ON hr_customers(grade);

-- A check: one per customer, rule and due day (the unique key makes two generators racing create one).
CREATE TABLE hr_checks (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    rule           TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    work_order_id  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    started_at     BIGINT,
    finished_at    BIGINT,
    finished_by    TEXT REFERENCES users(id),
    summary        TEXT,
    findings       TEXT,
    escalated_at   BIGINT,
    created_by     TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (customer_id, rule, due_on)
);
CREATE INDEX hr_checks_status_due ON hr_checks(status, due_on);

-- The check's checklist, copied from the rules when the check is made (a later edit of the rules leaves it).
CREATE TABLE hr_check_items (
    id           TEXT PRIMARY KEY,
    check_id     TEXT NOT NULL REFERENCES hr_checks(id),
    seq          INTEGER NOT NULL,
    code         TEXT NOT NULL,
    area         TEXT NOT NULL,
    text_zh      TEXT NOT NULL,
    text_en      TEXT,
    result       TEXT CHECK (result IN ('ok', 'hazard', 'na')),
    note         TEXT,
    photos       TEXT,
    recorded_by  TEXT REFERENCES users(id),
    recorded_at  BIGINT,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (check_id, code)
);

-- An admin's edit of data/hrcust/check_rules.json (periods, supply rules, checklists); '' = the shipped rules.
INSERT INTO settings (key, value) VALUES ('hrcust.rules', '');
