-- Metering assets (issue 12 item 1): what a finished job's records said about assets that the ledger could not
-- apply — an asset number the ledger does not know, an asset in a state the recorded move cannot start from (a
-- meter recorded as installed that is already installed elsewhere …). The crew's finish is never refused for it
-- (the job happened; the books are what is wrong): the assets module records the disagreement here and the
-- metering centre resolves it by hand (GET /api/v1/metering-discrepancies).
--   record_key: the SOP record the value came from (new_meter_asset_no, old_seal_nos …); problem: unknown_asset
--   (no such asset_no), or the refusal's error code the move would have answered (asset_install_not_issued …).
CREATE TABLE metering_discrepancies (
    id             TEXT PRIMARY KEY,
    work_order_id  TEXT NOT NULL,
    point_no       TEXT,
    asset_no       TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    move           TEXT NOT NULL,
    problem        TEXT NOT NULL,
    reading        TEXT,
    created_at     BIGINT NOT NULL,
    resolved_at    BIGINT,
    resolved_by    TEXT REFERENCES users(id),
    resolution     TEXT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_discrepancies_open ON metering_discrepancies(resolved_at, created_at);
CREATE INDEX metering_discrepancies_order ON metering_discrepancies(work_order_id);

-- The ledger filtered by batch (the unit a rotation or a failed sample names), paged by asset number: without it a
-- batch that matches nothing walked the whole asset_no index, a random read per row (a minute over a million meters
-- on SQLite); with it a page is an index range.
CREATE INDEX metering_assets_batch ON metering_assets(batch, asset_no);
