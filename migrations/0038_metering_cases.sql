-- Metering cases (issue 12 item 2, R1.1): one row per run of a metering field-service process — a customer-disputed
-- meter (客户异议), a device install/remove (装拆), a fault (故障处理), a first inspection (首次检验), an error (差错处理),
-- a retrofit (改造), a collection device install or retrofit (采集装置新装与改造). Rotation runs as campaigns (its own
-- module). The process is data/flows/metering_case.json (one flow, per-kind paths by "when" on kind and
-- out_of_tolerance); the field work is work orders of field work (fieldwork/interface/work_orders.h), ids kept in
-- work_order_ids (JSON array, oldest first) with the open one in work_order_id.
--
-- due_at is the current stage's deadline instant, counted by the module with the engine's flow_deadline_due from the
-- flow's "limits" (working days on the calendar; a first inspection's calendar month) and read by the states'
-- deadlines ("at": "due_at"). point_no / asset_no: the metering point's number and the meter's asset number
-- (metering_assets.asset_no), as text: the point may be SG186's, not fieldgrid's.
CREATE TABLE metering_cases (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,             -- JL20261206-0001
    kind              TEXT NOT NULL CHECK (kind IN ('disputed', 'install', 'fault', 'first_inspection', 'error',
                                                    'retrofit', 'collection', 'periodic')),
    status            TEXT NOT NULL,                    -- data/flows/metering_case.json
    point_no          TEXT,
    asset_no          TEXT,
    customer_name     TEXT,
    customer_phone    TEXT,
    subject           TEXT NOT NULL,
    data              TEXT NOT NULL DEFAULT '{}',       -- the kind's own facts (JSON): install_type, energised_on, grade …
    opened_at         BIGINT NOT NULL,                  -- when it was received: the clocks count from here
    due_at            BIGINT,                           -- the current stage's deadline (NULL: none)
    work_order_id     TEXT,                             -- the open (or last) work order
    work_order_ids    TEXT NOT NULL DEFAULT '[]',
    error_percent     TEXT,                             -- the measured error, as the crew recorded it (decimal text)
    out_of_tolerance  INTEGER,                          -- NULL untested, 0 within class, 1 beyond
    tested_at         BIGINT,
    fee_refunded      INTEGER NOT NULL DEFAULT 0,       -- a disputed meter found out of tolerance: the test fee back
    results           TEXT,                             -- the last work order's records (JSON)
    refund            TEXT,                             -- the 退补 working (JSON), see meterproc_refund.h
    calculated_by     TEXT REFERENCES users(id),
    calculated_at     BIGINT,
    approved_by       TEXT REFERENCES users(id),
    approved_at       BIGINT,
    answer            TEXT,                             -- what the customer was told (disputed)
    answered_at       BIGINT,
    closed_at         BIGINT,
    cancel_reason     TEXT,
    created_by        TEXT REFERENCES users(id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_cases_board ON metering_cases(kind, status, due_at);
CREATE INDEX metering_cases_order ON metering_cases(work_order_id);
CREATE INDEX metering_cases_point ON metering_cases(point_no);

-- Periodic work generated from the assets (issue 12 item 3): one row per asset, task and due day, written in the
-- transaction that opens the task's case, so the daily run never opens two cases for the same asset and period
-- (the primary key; a concurrent run's insert conflicts and does nothing). task: first_inspection (an HV meter's
-- installation), field_test (an HV meter's periodic field test by class), ct_pt_test (10-year CT/PT test),
-- pt_voltage_drop (a PT's 2-yearly secondary voltage-drop test). due_on: YYYY-MM-DD.
CREATE TABLE metering_periodic_runs (
    asset_id    TEXT NOT NULL,
    task        TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    case_id     TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (asset_id, task, due_on)
);
