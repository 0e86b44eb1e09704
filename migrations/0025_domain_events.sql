-- Domain events (issue 10 item 3, src/core/events/): a module states a fact ("a connector reported Faulted") inside
-- the transaction that made it true; the bus records it here and delivers it at once to the modules that subscribed
-- (src/modules.c), each in its own savepoint. The event row commits or rolls back with the fact.
CREATE TABLE domain_events (
    id         TEXT PRIMARY KEY,          -- UUIDv7: ORDER BY id is the order they happened in
    name       TEXT NOT NULL,             -- "connector.status"
    entity     TEXT NOT NULL,             -- "charger"
    entity_id  TEXT,
    actor_id   TEXT,                      -- the user; NULL for the charger or the system
    data       TEXT,                      -- JSON
    at         BIGINT NOT NULL
);
CREATE INDEX domain_events_entity ON domain_events(entity, entity_id, id);

-- A delivery that failed: the subscriber's savepoint was rolled back, the fact stayed. The scheduler retries it
-- with backoff (state retrying, next_at); after the last attempt it is parked for an admin (state parked), who can
-- retry it by hand (GET /api/v1/events/failed, POST …/{id}/actions/retry). A retry that succeeds marks it
-- delivered. One row per (event, subscriber).
CREATE TABLE event_deliveries (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES domain_events(id),
    subscriber  TEXT NOT NULL,            -- fg_subscription_t.name: "faults.on_status"
    state       TEXT NOT NULL,            -- retrying | parked | delivered
    attempts    INTEGER NOT NULL,
    last_error  TEXT,
    next_at     BIGINT,                   -- retrying: when the scheduler tries again
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (event_id, subscriber)
);
CREATE INDEX event_deliveries_due ON event_deliveries(state, next_at);

-- The work-order module's published read model (src/fieldwork/interface/work_orders.h): other contexts show a work
-- order's number, title and status beside their own rows (a fault case, an inspection, a part request) by joining
-- this view, never the module's table, which only the module writes and may reshape.
CREATE VIEW work_order_summaries AS
    SELECT id, number, title, kind, status, priority, due_at FROM work_orders;
