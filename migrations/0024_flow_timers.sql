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
