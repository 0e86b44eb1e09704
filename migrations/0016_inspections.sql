-- Inspections, station equipment, defects and firmware campaigns (issue 5 items 3 and 6; R4.3, R4.6, R4.10, R4.12).
-- Times are epoch ms UTC; calendar dates (installed_on, last_check) are "YYYY-MM-DD" in Asia/Shanghai.

-- The station's own plant besides the chargers (R4.12): box-type substation, distribution and secondary control
-- cabinets, monitoring, fire facilities, the earthing grid.
CREATE TABLE station_equipment (
    id            TEXT PRIMARY KEY,
    station_id    TEXT NOT NULL REFERENCES stations(id),
    kind          TEXT NOT NULL CHECK (kind IN ('box_transformer', 'distribution_cabinet', 'monitoring',
                                                'secondary_control_cabinet', 'fire_facility', 'grounding',
                                                'canopy_lighting', 'other')),
    name          TEXT NOT NULL,
    model         TEXT,
    serial        TEXT,
    installed_on  TEXT,
    last_check    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('in_service', 'defective', 'out_of_service', 'retired')),
    note          TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX station_equipment_station ON station_equipment(station_id);

-- Per-station inspection plans (R4.3, R4.6): the kind names its default checklist (data/kb/inspection_kinds.json),
-- copied onto the plan where it can be edited. One plan per station and kind.
CREATE TABLE inspection_plans (
    id           TEXT PRIMARY KEY,
    station_id   TEXT NOT NULL REFERENCES stations(id),
    kind         TEXT NOT NULL,
    period       TEXT NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    checklist    TEXT NOT NULL,                -- JSON array of {code, text_zh, text_en, applies, unit?}
    team_id      TEXT REFERENCES org_units(id),
    due_days     INTEGER NOT NULL DEFAULT 0,   -- 0: due at the period's end; else days after it starts
    active       INTEGER NOT NULL DEFAULT 1,
    note         TEXT,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (station_id, kind)
);

-- One inspection per plan and period ("2026-12", "2026-Q4", "2026"): the unique key makes generation idempotent,
-- whichever server runs it. Each has its charger_inspection work order. status: open → in_progress → done.
CREATE TABLE inspections (
    id             TEXT PRIMARY KEY,
    plan_id        TEXT NOT NULL REFERENCES inspection_plans(id),
    station_id     TEXT NOT NULL REFERENCES stations(id),
    kind           TEXT NOT NULL,
    period         TEXT NOT NULL,
    work_order_id  TEXT NOT NULL REFERENCES work_orders(id),
    status         TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    period_start   BIGINT NOT NULL,
    due_at         BIGINT NOT NULL,
    started_at     BIGINT,
    finished_at    BIGINT,
    finished_by    TEXT REFERENCES users(id),
    staff          TEXT,                       -- who did the visit, as written on the record (R4.3)
    summary        TEXT,                       -- the content of the visit
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (plan_id, period)
);
CREATE INDEX inspections_station ON inspections(station_id, due_at);
CREATE INDEX inspections_status ON inspections(status, due_at);

-- The checklist of one visit: each plan item once for the station, or once per charger / equipment it applies to.
CREATE TABLE inspection_items (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL REFERENCES inspections(id),
    seq            INTEGER NOT NULL,
    code           TEXT NOT NULL,
    text_zh        TEXT NOT NULL,
    text_en        TEXT,
    unit           TEXT,
    target         TEXT NOT NULL,              -- 'station', or the charger's / equipment's id
    charger_id     TEXT REFERENCES chargers(id),
    equipment_id   TEXT REFERENCES station_equipment(id),
    result         TEXT CHECK (result IN ('pass', 'fail', 'na')),
    reading        TEXT,
    note           TEXT,
    photos         TEXT,                       -- JSON array of attachment ids
    defect_id      TEXT,
    recorded_by    TEXT REFERENCES users(id),
    recorded_at    BIGINT,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (inspection_id, code, target)
);
CREATE INDEX inspection_items_inspection ON inspection_items(inspection_id, seq);

-- Defects (缺陷) of station equipment or chargers: open → fixing → closed (data/flows/defect.json).
-- needs_fault_order: serious and critical defects (or one the engineer flagged) want a fault work order; the link
-- is work_order_id once one exists (a charger_repair order, or the fault module's).
CREATE TABLE defects (
    id                  TEXT PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL,
    station_id          TEXT NOT NULL REFERENCES stations(id),
    equipment_id        TEXT REFERENCES station_equipment(id),
    charger_id          TEXT REFERENCES chargers(id),
    target_kind         TEXT NOT NULL,         -- the equipment kind, 'charger_ac' / 'charger_dc', or 'station'
    severity            TEXT NOT NULL CHECK (severity IN ('general', 'serious', 'critical')),
    description         TEXT NOT NULL,
    photos              TEXT,                  -- JSON array of attachment ids
    found_by            TEXT REFERENCES users(id),
    found_at            BIGINT NOT NULL,
    due_at              BIGINT NOT NULL,
    inspection_id       TEXT REFERENCES inspections(id),
    inspection_item_id  TEXT REFERENCES inspection_items(id),
    needs_fault_order   INTEGER NOT NULL DEFAULT 0,
    work_order_id       TEXT REFERENCES work_orders(id),
    fixing_by           TEXT REFERENCES users(id),
    fixing_at           BIGINT,
    closed_by           TEXT REFERENCES users(id),
    closed_at           BIGINT,
    resolution          TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX defects_station ON defects(station_id, found_at);
CREATE INDEX defects_status ON defects(status, due_at);
CREATE INDEX defects_found ON defects(found_at);

-- Firmware campaigns (R4.10): UpdateFirmware sent charger by charger, at most batch_size in flight at once.
CREATE TABLE firmware_campaigns (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    name         TEXT,
    location     TEXT NOT NULL,
    retrieve_at  BIGINT NOT NULL,
    batch_size   INTEGER NOT NULL CHECK (batch_size >= 1),
    filter       TEXT,                          -- JSON: how the chargers were chosen
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled')),
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    version      BIGINT NOT NULL DEFAULT 1
);

-- state: queued → sending → sent → Downloading → Downloaded → Installing → Installed (the charger's
-- FirmwareStatusNotification), or DownloadFailed / InstallationFailed / send_failed / cancelled.
-- outcome stays NULL while the charger is in flight: installed | failed | cancelled.
CREATE TABLE firmware_campaign_chargers (
    campaign_id      TEXT NOT NULL REFERENCES firmware_campaigns(id),
    charger_id       TEXT NOT NULL REFERENCES chargers(id),
    seq              INTEGER NOT NULL,
    state            TEXT NOT NULL,
    outcome          TEXT CHECK (outcome IN ('installed', 'failed', 'cancelled')),
    command_id       TEXT,
    error            TEXT,
    firmware_before  TEXT,
    firmware_after   TEXT,
    sent_at          BIGINT,
    status_at        BIGINT,
    booted_at        BIGINT,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, charger_id)
);
CREATE INDEX firmware_campaign_chargers_charger ON firmware_campaign_chargers(charger_id, outcome);
