-- What a finished job recorded (issue 9, finding 6): the tools in hand and who held them, the readiness of its
-- people and the steps it passed, frozen when the job finishes. A finished job is history: returning a tool,
-- renewing a certificate or editing an SOP afterwards changes the live ledgers, never this record. JSON texts,
-- written once by the finish transition (plan_record_frozen) and never updated.
CREATE TABLE job_records (
    plan_id      TEXT PRIMARY KEY REFERENCES plans(id),
    tools        TEXT NOT NULL,
    readiness    TEXT NOT NULL,
    steps        TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL
);
