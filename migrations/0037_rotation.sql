-- Rotation campaigns (轮换, issue 12 item 4, R1.1) and the meter imports that load the ledger in bulk.

-- One bulk import of meters (src/metering/imports): the CLI's and the API's. The rows it wrote carry its id in
-- metering_assets.import_id. state: running → done | failed (a failed import wrote nothing). report: JSON array of
-- the first bad cells [{row, column, code, value}]; error_count counts them all. Progress while running is the
-- importing thread's (bytes_read of bytes_total), kept here when it ends.
CREATE TABLE metering_imports (
    id            TEXT PRIMARY KEY,
    state         TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    filename      TEXT,
    sha256        TEXT,
    bytes_total   BIGINT NOT NULL DEFAULT 0,
    rows_total    BIGINT NOT NULL DEFAULT 0,
    rows_written  BIGINT NOT NULL DEFAULT 0,
    error_count   BIGINT NOT NULL DEFAULT 0,
    error_code    TEXT,
    report        TEXT,
    created_by    TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);

-- Rotation selects by age, batch, model, class, area and sampling over a city's meters.
CREATE INDEX metering_assets_rotation ON metering_assets(kind, status, transformer_area);

-- A campaign: its criteria (JSON, as sent), its capacity (crews × meters per crew per day), its first day, and the
-- process data/flows/rotation_campaign.json: draft → running (generated) → done | cancelled.
CREATE TABLE rotation_campaigns (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    criteria       TEXT NOT NULL,
    crews          BIGINT NOT NULL,
    per_crew_day   BIGINT NOT NULL,
    start_on       TEXT NOT NULL,
    due_days       BIGINT NOT NULL DEFAULT 0,
    team_id        TEXT,
    total          BIGINT NOT NULL DEFAULT 0,
    orders         BIGINT NOT NULL DEFAULT 0,
    first_day      TEXT,
    last_day       TEXT,
    generated_at   BIGINT,
    generated_by   TEXT REFERENCES users(id),
    finished_at    BIGINT,
    cancelled_at   BIGINT,
    cancel_reason  TEXT,
    created_by     TEXT REFERENCES users(id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);

-- The campaign's work orders: one per transformer area and day (a day's area split into several when it holds
-- more meters than one order should; seq numbers them).
CREATE TABLE rotation_orders (
    id             TEXT PRIMARY KEY,
    campaign_id    TEXT NOT NULL REFERENCES rotation_campaigns(id),
    area           TEXT NOT NULL,
    day            TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    meters         BIGINT NOT NULL,
    rank_from      BIGINT NOT NULL,           -- the area's meters by asset number: this order's share of them
    rank_to        BIGINT NOT NULL,
    work_order_id  TEXT,
    UNIQUE (campaign_id, area, day, seq)
);
CREATE INDEX rotation_orders_wo ON rotation_orders(work_order_id);

-- One row per meter of a campaign: which area, day and order it is in, and whether it has been replaced.
-- status: open | done (its order finished: the meter replaced) | cancelled.
CREATE TABLE rotation_items (
    campaign_id    TEXT NOT NULL REFERENCES rotation_campaigns(id),
    asset_id       TEXT NOT NULL,
    asset_no       TEXT NOT NULL,
    area           TEXT NOT NULL,
    day            TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_at        BIGINT,
    PRIMARY KEY (campaign_id, asset_id)
);
CREATE INDEX rotation_items_order ON rotation_items(order_id);
CREATE INDEX rotation_items_asset ON rotation_items(asset_id, status);
