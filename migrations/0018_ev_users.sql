-- Charging users (R4.7, issue 5 item 9): reservations sent to chargers with ReserveNow, and a credit rating per id
-- tag built from recorded misuse (occupying a connector after charging, reservations not used) and the desk's
-- own deductions and restorations; rules in data/ev/credit.json.
CREATE TABLE reservations (
    id                 TEXT PRIMARY KEY,
    reservation_id     BIGINT NOT NULL UNIQUE,      -- the integer OCPP carries (ReserveNow, StartTransaction)
    charger_id         TEXT NOT NULL REFERENCES chargers(id),
    connector_id       INTEGER NOT NULL,
    id_tag             TEXT NOT NULL,
    expiry_at          BIGINT NOT NULL,
    command_id         TEXT REFERENCES charger_commands(id),   -- ReserveNow
    cancel_command_id  TEXT REFERENCES charger_commands(id),   -- CancelReservation
    cancelled_at       BIGINT,
    no_show_at         BIGINT,                       -- when the sweep found it expired unused
    failed_reason      TEXT,                         -- the ReserveNow could not be sent (charger offline)
    created_by         TEXT REFERENCES users(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX reservations_charger ON reservations(charger_id, connector_id);
CREATE INDEX reservations_tag ON reservations(id_tag);

-- Appended; ref is what the event is about (a transaction id, a reservation id), unique per kind so a replayed
-- status or a second sweep counts it once. Manual events have no ref.
CREATE TABLE credit_events (
    id           TEXT PRIMARY KEY,
    id_tag       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('occupancy', 'no_show', 'manual', 'restore')),
    points       INTEGER NOT NULL,
    ref          TEXT,
    minutes      INTEGER,                            -- occupancy: how long the connector was held
    charger_id   TEXT REFERENCES chargers(id),
    note         TEXT,
    recorded_by  TEXT REFERENCES users(id),          -- NULL: found by the system
    at           BIGINT NOT NULL
);
CREATE INDEX credit_events_tag ON credit_events(id_tag, at);
CREATE UNIQUE INDEX credit_events_ref ON credit_events(kind, ref);

-- 1 while the tag is Blocked because of its credit (so recovery lifts only this block, never a manual one).
ALTER TABLE id_tags ADD COLUMN credit_blocked INTEGER NOT NULL DEFAULT 0;
