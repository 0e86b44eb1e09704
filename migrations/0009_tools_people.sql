-- Safety tools and people readiness (issue 4, R3.6, R2.2, R0.3, R2.8).

-- The tool ledger. custody is where the tool physically is; "test due soon" and "overdue" are read from
-- next_test_due against today, never stored, so they cannot go stale.
CREATE TABLE tools (
    id                TEXT PRIMARY KEY,
    asset_no          TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    name              TEXT,
    store             TEXT,
    location          TEXT,
    custody           TEXT NOT NULL CHECK (custody IN ('in_store', 'checked_out', 'under_test', 'scrapped', 'lost')),
    last_test_date    TEXT,            -- YYYY-MM-DD
    last_test_result  TEXT CHECK (last_test_result IN ('pass', 'fail')),
    next_test_due     TEXT,            -- YYYY-MM-DD, from the kind's test cycle
    plan_id           TEXT REFERENCES plans(id),
    holder_id         TEXT REFERENCES users(id),
    checked_out_at    BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tools_kind ON tools(kind);
CREATE INDEX tools_plan ON tools(plan_id);
CREATE INDEX tools_due ON tools(next_test_due);

CREATE TABLE tool_tests (
    id           TEXT PRIMARY KEY,
    tool_id      TEXT NOT NULL REFERENCES tools(id),
    test_date    TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
    tester       TEXT,
    report_no    TEXT,
    note         TEXT,
    recorded_by  TEXT REFERENCES users(id),
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX tool_tests_tool ON tool_tests(tool_id);

-- Every scan: check-out, return, or just a look (R3.6).
CREATE TABLE tool_movements (
    id         TEXT PRIMARY KEY,
    tool_id    TEXT NOT NULL REFERENCES tools(id),
    action     TEXT NOT NULL CHECK (action IN ('checkout', 'return', 'view')),
    plan_id    TEXT REFERENCES plans(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    condition  TEXT,
    note       TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX tool_movements_tool ON tool_movements(tool_id);

-- People: certificates, safety-rules exams, training (R2.2, R0.3).
CREATE TABLE qualifications (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'safety_exam', 'training')),
    name         TEXT NOT NULL,
    number       TEXT,
    issued_on    TEXT,                 -- YYYY-MM-DD
    expires_on   TEXT,                 -- YYYY-MM-DD; NULL: does not expire
    score        INTEGER,
    passed       INTEGER,
    issuer       TEXT,
    recorded_by  TEXT REFERENCES users(id),
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX qualifications_user ON qualifications(user_id);
