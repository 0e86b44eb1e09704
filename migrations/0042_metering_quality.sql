-- Service management of the metering field work (issue 12 item 6, R1.2): the register of finished metering jobs,
-- quality re-checks of a reproducible sample of them with their findings, and the figures the monthly evaluation
-- reads.

-- One row per finished metering work order, written when field work says it finished (the domain event
-- work_order.finished): what the evaluation counts and the samples draw from. History is history: the row keeps the
-- order's team, due instant and kind as they were at the finish.
CREATE TABLE metering_jobs (
    work_order_id  TEXT PRIMARY KEY,
    number         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    team_id        TEXT,
    due_at         BIGINT,
    finished_at    BIGINT NOT NULL,
    finished_day   TEXT NOT NULL,            -- YYYY-MM-DD in Asia/Shanghai
    on_time        INTEGER NOT NULL          -- 1: finished by due_at (or no due instant)
);
CREATE INDEX metering_jobs_team_day ON metering_jobs(team_id, finished_day);
CREATE INDEX metering_jobs_day ON metering_jobs(finished_day);

-- A quality sample: of one team's metering jobs finished between from_day and to_day (inclusive) and not in an
-- earlier sample, rate % are drawn for a re-check (core/base/sample.h: seeded by the sample's id, so anyone can
-- redo the draw). population: how many jobs the draw was made from.
CREATE TABLE quality_samples (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,       -- ZJ20261206-0001
    team_id      TEXT NOT NULL REFERENCES org_units(id),
    from_day     TEXT NOT NULL,
    to_day       TEXT NOT NULL,
    rate         INTEGER NOT NULL CHECK (rate BETWEEN 1 AND 100),
    population   INTEGER NOT NULL,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX quality_samples_team ON quality_samples(team_id, to_day);

-- One re-check of a sampled job: pending until a checker records passed or failed (a failed check names at least
-- one finding). A job is in at most one sample.
CREATE TABLE quality_checks (
    id             TEXT PRIMARY KEY,
    sample_id      TEXT NOT NULL REFERENCES quality_samples(id),
    work_order_id  TEXT NOT NULL UNIQUE REFERENCES metering_jobs(work_order_id),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    checked_by     TEXT REFERENCES users(id),
    checked_at     BIGINT,
    note           TEXT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX quality_checks_sample ON quality_checks(sample_id);

-- What a failed re-check found: the error found after the fact. severity: the configurable internal grades of
-- REFERENCE.md §4.4 (重大/一般/轻微).
CREATE TABLE quality_findings (
    id           TEXT PRIMARY KEY,
    check_id     TEXT NOT NULL REFERENCES quality_checks(id),
    position     INTEGER NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('major', 'general', 'minor')),
    category     TEXT NOT NULL CHECK (category IN ('wiring', 'seal', 'reading', 'asset_record', 'safety', 'site',
                                                   'other')),
    description  TEXT NOT NULL,
    UNIQUE (check_id, position)
);
