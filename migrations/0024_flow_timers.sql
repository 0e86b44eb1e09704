-- Deadlines of processes as data (issue 10 item 4): one table of timers drives every deadline a flow declares
-- (data/flows/*.json, a state's "deadline"), and a system actor fires the due ones.
--
-- The system actor is a real user so that flow_events.actor_id and the audit log name who moved a process when
-- nobody did (a deadline fired): it has no roles, is disabled, and its password hash is no hash at all, so it can
-- never sign in; '~' is not allowed in a username (users_valid_username), so no person can take its name.
INSERT INTO users (id, username, display_name, password_hash, disabled, created_at, updated_at)
VALUES ('system', '~system', '系统', '!', 1, 0, 0);

-- The reason a transition needed (void, reject, cancel …) or a pause was given, on the event that records it.
ALTER TABLE flow_events ADD COLUMN reason TEXT;

-- One row per arming of a state's deadline. Open: fired_at and ended_at both NULL. Paused: paused_at set and
-- remaining_ms the time that was left (due_at kept as it was, for the history); resuming sets due_at = now +
-- remaining_ms. ended_at: the process left the state (or the deadline's field was cleared) before it fired.
CREATE TABLE flow_timers (
    id            TEXT PRIMARY KEY,
    flow          TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    state         TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    paused_at     BIGINT,
    remaining_ms  BIGINT,
    pause_reason  TEXT,
    fired_at      BIGINT,
    ended_at      BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- the scheduler's claim: open, running timers by due time
CREATE INDEX flow_timers_due ON flow_timers(due_at) WHERE fired_at IS NULL AND ended_at IS NULL AND paused_at IS NULL;
CREATE INDEX flow_timers_entity ON flow_timers(flow, entity_id);

-- The deadlines already running when this migration lands: the column each flow's deadline reads ("at") as it is.
-- (A part request's two working days start when it is next created or moved; none is armed here.)
INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at)
SELECT 'm0024-fault-' || id, 'fault', id, status, escalate_at, updated_at, updated_at FROM faults
WHERE status IN ('triage', 'dispatched', 'repairing') AND escalate_at IS NOT NULL;
INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at)
SELECT 'm0024-defect-' || id, 'defect', id, status, due_at, updated_at, updated_at FROM defects
WHERE status IN ('open', 'fixing');
INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at)
SELECT 'm0024-order-' || id, 'work_order', id, status, due_at, updated_at, updated_at FROM work_orders
WHERE status IN ('new', 'planned', 'in_progress') AND due_at IS NOT NULL;
INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at)
SELECT 'm0024-ticket-' || id, 'ticket', id, status, planned_end, updated_at, updated_at FROM tickets
WHERE status IN ('permitted', 'working', 'interrupted');
