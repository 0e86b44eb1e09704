-- Metering assets (issue 12 item 6, R1.2 preparation): a day's reservation — specific in-stock meters, seals, CTs …
-- held for one crew member's work orders of one day, ahead of the day, then issued together.
--
-- A table of its own and not a `reserved` status in metering_assets: a reserved asset is still in the store (on the
-- shelf, counted as stock, its history unchanged until it leaves), a status would need 0036's CHECK widened (a table
-- rebuild of a million rows on SQLite) and every reader of status (rotation, the screen, the ledger's filters) taught
-- that reserved means in stock. The hold is a row here instead; the moves (src/metering/assets/assets_moves.c) read
-- it: a held asset is issued only to its reservation's holder, and never sent for verification or scrapped.
--
-- status: open (holding) → issued (its assets went out: the day's issue, or each one issued to the holder) |
-- cancelled (by a keeper) | released (stale: its day passed, or every order it held for was cancelled or done —
-- the periodic job metering_assets.release_stale, or POST /metering-reservations/release-stale).
CREATE TABLE metering_reservations (
    id            TEXT PRIMARY KEY,
    day           TEXT NOT NULL,               -- YYYY-MM-DD, the day of the jobs (China time)
    holder_id     TEXT NOT NULL REFERENCES users(id),
    status        TEXT NOT NULL CHECK (status IN ('open', 'issued', 'cancelled', 'released')),
    note          TEXT,
    created_by    TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    closed_by     TEXT REFERENCES users(id),
    close_reason  TEXT,                        -- cancel: the keeper's reason; release: past_day | orders_closed
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_reservations_day ON metering_reservations(day, status);
CREATE INDEX metering_reservations_holder ON metering_reservations(holder_id, day);

-- One asset held for one work order. state: held → issued | released (cancelled, stale, or its order closed).
-- At most one held row per asset (the partial unique index): the row lock on the asset decides a race between two
-- reservations; the index is the backstop that makes a second hold impossible whatever the code does.
CREATE TABLE metering_reservation_items (
    id              TEXT PRIMARY KEY,
    reservation_id  TEXT NOT NULL REFERENCES metering_reservations(id),
    asset_id        TEXT NOT NULL REFERENCES metering_assets(id),
    work_order_id   TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('held', 'issued', 'released')),
    created_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    end_reason      TEXT                        -- released: cancelled | past_day | order_closed
);
CREATE INDEX metering_reservation_items_res ON metering_reservation_items(reservation_id);
CREATE UNIQUE INDEX metering_reservation_items_held ON metering_reservation_items(asset_id) WHERE state = 'held';
CREATE INDEX metering_reservation_items_order ON metering_reservation_items(work_order_id, state);
