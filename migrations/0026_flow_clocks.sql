-- Clocks of processes for issue 11 (applications on the clock): flow_timers learns
--   * deadlines whose instant is not known yet: a working-day count that runs into a year the calendar does not hold
--     yet is armed with due_at NULL and due_code 'calendar_year_unknown' (due_year the year), and computed once an
--     admin enters that year (PUT /calendar/{year}) or the scheduler finds it known;
--   * the count itself (count_from, count_wd), so a pause keeps the working days left (remaining_wd) and a resume
--     counts them again from the resume, across holidays and make-up days, not as wall-clock time;
--   * a "nearly late" warning (warn_at, warned_at: once per arming);
--   * whole-process deadlines (kind 'process', armed from the process start, alongside the state's own).
-- due_at becomes nullable, which SQLite cannot ALTER: the table is rebuilt (portable on both engines).
CREATE TABLE flow_timers_new (
    id            TEXT PRIMARY KEY,
    flow          TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'state' CHECK (kind IN ('state', 'process')),
    state         TEXT NOT NULL,
    due_at        BIGINT,
    due_code      TEXT,
    due_year      INTEGER,
    count_from    BIGINT,
    count_wd      INTEGER,
    warn_at       BIGINT,
    warned_at     BIGINT,
    paused_at     BIGINT,
    remaining_ms  BIGINT,
    remaining_wd  INTEGER,
    pause_reason  TEXT,
    pause_kind    TEXT CHECK (pause_kind IN ('action', 'state')),
    fired_at      BIGINT,
    ended_at      BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CHECK (due_at IS NOT NULL OR due_code IS NOT NULL)
);
INSERT INTO flow_timers_new (id, flow, entity_id, kind, state, due_at, paused_at, remaining_ms, pause_reason, pause_kind,
                             fired_at, ended_at, created_at, updated_at)
SELECT id, flow, entity_id, 'state', state, due_at, paused_at, remaining_ms, pause_reason,
       CASE WHEN paused_at IS NULL THEN NULL ELSE 'action' END, fired_at, ended_at, created_at, updated_at
FROM flow_timers;
DROP TABLE flow_timers;
ALTER TABLE flow_timers_new RENAME TO flow_timers;
-- the scheduler's claims: open, running timers by due time; by warning time; those still waiting for a year
CREATE INDEX flow_timers_due ON flow_timers(due_at) WHERE fired_at IS NULL AND ended_at IS NULL AND paused_at IS NULL;
CREATE INDEX flow_timers_warn ON flow_timers(warn_at) WHERE warned_at IS NULL AND fired_at IS NULL AND ended_at IS NULL AND paused_at IS NULL;
CREATE INDEX flow_timers_unknown ON flow_timers(due_year) WHERE due_at IS NULL AND fired_at IS NULL AND ended_at IS NULL;
CREATE INDEX flow_timers_entity ON flow_timers(flow, entity_id);
