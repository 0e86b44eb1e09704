-- Field work from an application (issue 11 item 4): the work orders of an application's survey and meter
-- installation stages, one row per job. The work order is field work's (read through the view work_order_summaries
-- and fieldwork/interface/work_orders.h, as the charging context's fault cases and inspections read theirs). When
-- field work finishes the order (the event work_order.finished), the row keeps what the crew recorded and whether
-- the application's stage followed.
CREATE TABLE application_jobs (
    id               TEXT PRIMARY KEY,
    application_id   TEXT NOT NULL REFERENCES applications(id),
    stage            TEXT NOT NULL CHECK (stage IN ('survey', 'installation')),
    work_order_id    TEXT NOT NULL UNIQUE REFERENCES work_orders(id),
    finished_at      BIGINT,                -- the order reached done
    result           TEXT,                  -- JSON: {records, steps, nonconforming} as recorded on the job's steps
    outcome          TEXT,                  -- stage_completed | stage_left | the refusal's code (the desk completes it)
    created_by       TEXT REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX application_jobs_application ON application_jobs(application_id, stage);
