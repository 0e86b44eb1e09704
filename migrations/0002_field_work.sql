-- Field work (issue 3), first part: work orders, plans with their crew and orders, the flow event history,
-- and counters for human-readable numbers.

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);

CREATE TABLE work_orders (
    id                 TEXT PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    priority           TEXT NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    source             TEXT NOT NULL CHECK (source IN ('customer', 'schedule', 'alarm', 'manager')),
    title              TEXT NOT NULL,
    customer_name      TEXT,
    customer_no        TEXT,
    site_address       TEXT,
    meter_asset_no     TEXT,
    metering_point_no  TEXT,
    description        TEXT,
    team_id            TEXT REFERENCES org_units(id),
    due_at             BIGINT,
    created_by         TEXT REFERENCES users(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX work_orders_status ON work_orders(status);
CREATE INDEX work_orders_team ON work_orders(team_id);
CREATE INDEX work_orders_due ON work_orders(due_at);

CREATE TABLE plans (
    id                    TEXT PRIMARY KEY,
    number                TEXT NOT NULL UNIQUE,
    date                  TEXT NOT NULL,           -- YYYY-MM-DD, the working day in Asia/Shanghai
    team_id               TEXT NOT NULL REFERENCES org_units(id),
    leader_id             TEXT NOT NULL REFERENCES users(id),
    status                TEXT NOT NULL,
    title                 TEXT NOT NULL,
    place                 TEXT,
    content               TEXT,
    risk_level            INTEGER NOT NULL,        -- 1 highest … 5 lowest, from the work kinds
    high_risk             INTEGER NOT NULL DEFAULT 0,
    video_link            TEXT,
    onsite_supervisor_id  TEXT REFERENCES users(id),
    published_at          BIGINT,
    started_at            BIGINT,
    finished_at           BIGINT,
    created_by            TEXT REFERENCES users(id),
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    version               BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX plans_date ON plans(date);
CREATE INDEX plans_leader ON plans(leader_id);

CREATE TABLE plan_crew (
    plan_id  TEXT NOT NULL REFERENCES plans(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX plan_crew_user ON plan_crew(user_id);

CREATE TABLE plan_orders (
    plan_id        TEXT NOT NULL REFERENCES plans(id),
    work_order_id  TEXT NOT NULL REFERENCES work_orders(id),
    PRIMARY KEY (plan_id, work_order_id)
);
CREATE INDEX plan_orders_order ON plan_orders(work_order_id);

-- every state change any flow makes, in order: the history a supervisor reads
CREATE TABLE flow_events (
    id          TEXT PRIMARY KEY,
    flow        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    actor_id    TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX flow_events_entity ON flow_events(entity_id);
