-- Spare parts for charger O&M (R4.13, issue 5 item 7): a catalogue, depots with stock and reorder points, an
-- append-only movement log, and requests tied to a work order: requested → issued → settled (each issued unit
-- consumed on the job or returned to stock).
CREATE TABLE parts (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,                 -- the depot's item code, e.g. DC-MOD-30KW
    name        TEXT NOT NULL,                 -- 充电模块 30 kW
    category    TEXT NOT NULL CHECK (category IN ('module', 'gun', 'cable', 'board', 'contactor', 'fuse', 'meter',
                                                   'screen', 'reader', 'fan', 'other')),
    unit        TEXT NOT NULL,                 -- 个 / 套 / 米
    fits        TEXT,                          -- the vendors and models it fits, as the depot writes it
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX parts_code ON parts(lower(code));

CREATE TABLE part_depots (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    org_unit_id  TEXT REFERENCES org_units(id),
    location     TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX part_depots_name ON part_depots(name);

-- on_hand never goes below zero: issuing decrements it only where enough is there (checked in the same UPDATE).
CREATE TABLE part_stock (
    depot_id       TEXT NOT NULL REFERENCES part_depots(id),
    part_id        TEXT NOT NULL REFERENCES parts(id),
    on_hand        INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reorder_point  INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    reorder_qty    INTEGER NOT NULL DEFAULT 0 CHECK (reorder_qty >= 0),
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (depot_id, part_id)
);

CREATE TABLE part_requests (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,        -- BJ20261201-0001
    status         TEXT NOT NULL,               -- data/flows/part_request.json
    work_order_id  TEXT NOT NULL REFERENCES work_orders(id),
    depot_id       TEXT NOT NULL REFERENCES part_depots(id),
    requested_by   TEXT REFERENCES users(id),
    note           TEXT,
    issued_by      TEXT REFERENCES users(id),
    issued_at      BIGINT,
    settled_at     BIGINT,
    reject_reason  TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX part_requests_order ON part_requests(work_order_id);
CREATE INDEX part_requests_status ON part_requests(status);

CREATE TABLE part_request_lines (
    request_id        TEXT NOT NULL REFERENCES part_requests(id),
    part_id           TEXT NOT NULL REFERENCES parts(id),
    qty               INTEGER NOT NULL CHECK (qty > 0),
    consumed          INTEGER,                  -- set when settled: used on the job
    returned          INTEGER,                  -- set when settled: back to stock
    removed_serial    TEXT,                     -- the faulty part taken out (replacement traceability)
    installed_serial  TEXT,                     -- the part put in
    PRIMARY KEY (request_id, part_id)
);

-- Every change of stock, appended: receive (+), issue (−), return (+), adjust (±, a stocktake). Consumption is
-- not a stock movement (the part left stock when issued) but is recorded on the request's lines.
CREATE TABLE part_movements (
    id          TEXT PRIMARY KEY,
    depot_id    TEXT NOT NULL REFERENCES part_depots(id),
    part_id     TEXT NOT NULL REFERENCES parts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('receive', 'issue', 'return', 'adjust')),
    qty         INTEGER NOT NULL,               -- signed
    on_hand     INTEGER NOT NULL,               -- after the movement
    request_id  TEXT REFERENCES part_requests(id),
    note        TEXT,
    actor_id    TEXT REFERENCES users(id),
    at          BIGINT NOT NULL
);
CREATE INDEX part_movements_stock ON part_movements(depot_id, part_id);
