-- Metering assets (issue 12 item 1, R1.1, R0.4): meters, current and voltage transformers (CT/PT), collection
-- terminals and seals (封印) as tracked objects, the moves each one has made, and what every metering point has
-- carried over time.
--
-- Metering points are keyed by their NUMBER (point_no), not by a row id: the marketing system (SG186) is the master
-- of metering points and a city company has millions of them; fieldgrid holds a metering_points row (migration
-- 0027) only for the points its own customers' applications created. A point's history is therefore kept by number,
-- and joins metering_points.number where such a row exists.

-- One row per physical object. asset_no is the number on its barcode / QR label (资产编号), unique company-wide.
-- Lifecycle (status): in_stock → issued (to a crew member for a work order) → installed (at a point) → removed →
-- verifying (sent for 检定) → in_stock again, or scrapped. An issued asset may also go back to in_stock (returned
-- unused). Seals use in_stock → issued → installed (applied) → removed (broken); a broken seal is never reused.
--
-- Columns by kind (NULL where they do not apply):
--   meter:    subtype single_phase | three_phase_direct | three_phase_ct | three_phase_hv; accuracy_class '2.0',
--             '1.0', '0.5S' …; rated '220V 5(60)A', '3×57.7/100V 1.5(6)A'; constant (imp/kWh)
--   ct / pt:  ratio '200/5', '10000/100'; accuracy_class '0.2S', '0.5'
--   terminal: subtype concentrator | collector | dedicated (专变采集终端) | energy_controller
--   seal:     subtype the seal's use (meter_cover, terminal_box, meter_box, ct_box); batch the seal roll
-- produced_on / verified_on: YYYY-MM-DD (verified_on: the last 检定 passed, from the factory or the lab).
-- location: where it is now, kept with status so a list never needs the moves:
--   org_unit_id the store (unit) that owns it; holder_id the crew member it is issued to; work_order_id the job it
--   is issued or was installed for; point_no the metering point it is installed at, with transformer_area (台区, or
--   the feeder for HV) copied from the point so rotation campaigns select by area without a join.
-- installed_on: YYYY-MM-DD the current installation began (rotation selects by it); for meters imported in bulk it
-- comes from the file.
-- sampling: the batch's condition-based (状态更换) verdict: NULL (not sampled), 'passed' (extended 4 years) or
-- 'failed' (replace the batch).
CREATE TABLE metering_assets (
    id                TEXT PRIMARY KEY,
    asset_no          TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('meter', 'ct', 'pt', 'terminal', 'seal')),
    subtype           TEXT,
    model             TEXT,
    manufacturer      TEXT,
    batch             TEXT,
    accuracy_class    TEXT,
    rated             TEXT,
    ratio             TEXT,
    constant          TEXT,
    produced_on       TEXT,
    verified_on       TEXT,
    sampling          TEXT CHECK (sampling IN ('passed', 'failed')),
    status            TEXT NOT NULL CHECK (status IN ('in_stock', 'issued', 'installed', 'removed', 'verifying',
                                                      'scrapped')),
    org_unit_id       TEXT REFERENCES org_units(id),
    holder_id         TEXT REFERENCES users(id),
    work_order_id     TEXT,
    point_no          TEXT,
    transformer_area  TEXT,
    installed_on      TEXT,
    import_id         TEXT,
    note              TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_assets_point ON metering_assets(point_no);
-- (kind, status, asset_no): the ledger's keyset page (GET /metering-assets?kind=&status=, ordered by asset_no) reads
-- the index in order from the cursor; with (kind, status) alone a page of the 900,000 installed meters was a sort of
-- all of them.
CREATE INDEX metering_assets_kind_status ON metering_assets(kind, status, asset_no);
CREATE INDEX metering_assets_order ON metering_assets(work_order_id);
CREATE INDEX metering_assets_holder ON metering_assets(holder_id);

-- Every move an asset makes, append-only (history is history). from_status/to_status are the lifecycle states
-- above; move is what happened: received (into stock), issued, returned (issued, back unused), installed, removed,
-- sent (for verification), verified (back to stock, passed), scrapped, applied / broken (seals). reading: the
-- register reading in kWh as a decimal string at install or removal (meters). Bulk imports write no move per row:
-- the import itself is audited, and the asset's import_id names it.
CREATE TABLE metering_asset_moves (
    id             TEXT PRIMARY KEY,
    asset_id       TEXT NOT NULL REFERENCES metering_assets(id),
    move           TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    at             BIGINT NOT NULL,
    actor_id       TEXT REFERENCES users(id),
    holder_id      TEXT REFERENCES users(id),
    org_unit_id    TEXT REFERENCES org_units(id),
    work_order_id  TEXT,
    point_no       TEXT,
    reading        TEXT,
    result         TEXT,                      -- verification: passed / failed; removal: the reason
    note           TEXT
);
CREATE INDEX metering_asset_moves_asset ON metering_asset_moves(asset_id, at);
CREATE INDEX metering_asset_moves_order ON metering_asset_moves(work_order_id);

-- What a metering point carried when: one row per installation of an asset (meter, CT, PT, terminal or seal) at a
-- point, closed when it is removed (or, for a seal, broken). A point's history is these rows in time order; the
-- readings at install and removal live here as well as on the moves, so the history reads from one table.
CREATE TABLE metering_point_installs (
    id                TEXT PRIMARY KEY,
    point_no          TEXT NOT NULL,
    asset_id          TEXT NOT NULL REFERENCES metering_assets(id),
    kind              TEXT NOT NULL,         -- the asset's kind, copied: history lists group by it
    position          TEXT,                  -- CT/PT phase A/B/C; seal's place (meter_cover …)
    installed_at      BIGINT NOT NULL,
    installed_by      TEXT REFERENCES users(id),
    install_order_id  TEXT,
    install_reading   TEXT,
    removed_at        BIGINT,
    removed_by        TEXT REFERENCES users(id),
    remove_order_id   TEXT,
    removal_reading   TEXT,
    removal_reason    TEXT
);
CREATE INDEX metering_point_installs_point ON metering_point_installs(point_no, installed_at);
CREATE INDEX metering_point_installs_asset ON metering_point_installs(asset_id);
