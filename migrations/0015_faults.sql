-- Alarms, fault work orders and the service desk (issue 5 item 5: R4.2, R4.9, R4.11, R4.16).
-- An alarm is what a charger reported (or its silence); a fault is the repair case it opens: a charger_repair
-- work order plus severity, urgency, SLA deadlines, escalation level, triage, the report and the callback.
-- Times are epoch ms UTC.

-- Admins' edits of the error-code dictionary (data/faults/error_codes.json): an edit replaces or adds the entry
-- with the same (vendor, code); deleting the edit brings the built-in entry back. body: the entry as JSON.
CREATE TABLE fault_code_edits (
    vendor      TEXT NOT NULL,
    code        TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_by  TEXT REFERENCES users(id),
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (vendor, code)
);

-- One fault case. fault_key: what is wrong ("ocpp:GroundFailure", "vendor:<vendor>:<code>", "ocpp:Faulted",
-- "ocpp:Offline", "desk:<category>"); at most one fault not closed/cancelled per (charger, fault_key): faults.c
-- joins the open one, and the partial unique index below makes two servers racing unable to open a second.
CREATE TABLE faults (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL,
    charger_id        TEXT REFERENCES chargers(id),
    station_id        TEXT REFERENCES stations(id),
    connector_id      INTEGER,
    fault_key         TEXT NOT NULL,
    title             TEXT NOT NULL,
    source            TEXT NOT NULL CHECK (source IN ('alarm', 'service_desk', 'inspection', 'manual')),
    severity          TEXT NOT NULL CHECK (severity IN ('common', 'serious')),
    urgency           TEXT NOT NULL CHECK (urgency IN ('urgent', 'normal')),
    work_order_id     TEXT NOT NULL REFERENCES work_orders(id),
    assignee_id       TEXT REFERENCES users(id),
    level             INTEGER NOT NULL DEFAULT 0,      -- 0 O&M engineer, 1 technical department, 2 vendor
    opened_at         BIGINT NOT NULL,
    response_due_at   BIGINT NOT NULL,
    repair_due_at     BIGINT NOT NULL,
    escalate_at       BIGINT,                          -- when the scheduler escalates next (NULL: never)
    responded_at      BIGINT,
    dispatched_at     BIGINT,
    resolved_at       BIGINT,
    closed_at         BIGINT,
    resolution        TEXT CHECK (resolution IN ('remote', 'onsite')),
    remote_command_id TEXT REFERENCES charger_commands(id),
    recovered_at      BIGINT,                          -- the charger reported itself healthy again
    report            TEXT,                            -- JSON {cause, actions, parts, prevention}
    reporter_name     TEXT,
    reporter_contact  TEXT,
    callback_result   TEXT CHECK (callback_result IN ('satisfied', 'unsatisfied')),
    callback_at       BIGINT,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX faults_charger ON faults(charger_id, fault_key);
CREATE INDEX faults_status ON faults(status);
CREATE INDEX faults_assignee ON faults(assignee_id);
CREATE INDEX faults_escalate ON faults(escalate_at);
CREATE UNIQUE INDEX faults_one_open ON faults(charger_id, fault_key) WHERE status NOT IN ('closed', 'cancelled');

-- The fault order's log: recovery noted by the charger, remote commands, escalations, callbacks, people's notes.
CREATE TABLE fault_notes (
    id          TEXT PRIMARY KEY,
    fault_id    TEXT NOT NULL REFERENCES faults(id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    command_id  TEXT,
    actor_id    TEXT REFERENCES users(id),
    at          BIGINT NOT NULL
);
CREATE INDEX fault_notes_fault ON fault_notes(fault_id, at);

-- An alarm: one per (charger, connector, fault_key) episode. state open → acknowledged → cleared; a repeat
-- report while open counts in occurrences; the same fault returning within the flap window reopens the alarm.
CREATE TABLE alarms (
    id                 TEXT PRIMARY KEY,
    charger_id         TEXT NOT NULL REFERENCES chargers(id),
    connector_id       INTEGER NOT NULL,
    fault_key          TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('faulted', 'error_code', 'vendor_code', 'offline')),
    state              TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'cleared')),
    severity           TEXT NOT NULL CHECK (severity IN ('common', 'serious')),
    status             TEXT,
    error_code         TEXT,
    vendor_id          TEXT,
    vendor_error_code  TEXT,
    info               TEXT,
    meaning            TEXT,
    occurrences        INTEGER NOT NULL DEFAULT 1,
    raised_at          BIGINT NOT NULL,
    last_at            BIGINT NOT NULL,
    acknowledged_by    TEXT REFERENCES users(id),
    acknowledged_at    BIGINT,
    cleared_at         BIGINT,
    fault_id           TEXT REFERENCES faults(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX alarms_charger ON alarms(charger_id, connector_id, fault_key);
CREATE INDEX alarms_state ON alarms(state);
CREATE UNIQUE INDEX alarms_one_active ON alarms(charger_id, connector_id, fault_key) WHERE state <> 'cleared';

-- Service desk (R4.9): what users report through a channel, and how the desk classified it.
CREATE TABLE service_reports (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('new', 'classified')),
    channel         TEXT NOT NULL CHECK (channel IN ('phone', 'wechat', 'app', 'sales', 'onsite')),
    reporter_name   TEXT NOT NULL,
    contact         TEXT NOT NULL,
    charger_id      TEXT REFERENCES chargers(id),
    station_id      TEXT REFERENCES stations(id),
    connector_id    INTEGER,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    classification  TEXT CHECK (classification IN ('remote_fix', 'guide', 'dispatch')),
    resolution      TEXT,
    fault_id        TEXT REFERENCES faults(id),
    created_by      TEXT REFERENCES users(id),
    classified_by   TEXT REFERENCES users(id),
    classified_at   BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX service_reports_status ON service_reports(status);

-- SLA defaults live in data/faults/sla.json; an admin's edit is kept here (JSON) and audited.
INSERT INTO settings (key, value) VALUES ('faults.sla', '');
