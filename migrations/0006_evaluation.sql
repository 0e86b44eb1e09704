-- Quantitative evaluation (R3.12): configurable indicator trees, and the scores given with them. Q is kept as
-- hundredths in an integer so both engines store it exactly.
CREATE TABLE evaluation_models (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tree        TEXT NOT NULL,
    created_by  TEXT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE evaluation_scores (
    id            TEXT PRIMARY KEY,
    model_id      TEXT NOT NULL REFERENCES evaluation_models(id),
    subject_type  TEXT NOT NULL CHECK (subject_type IN ('team', 'person', 'plan')),
    subject_id    TEXT NOT NULL,
    period        TEXT NOT NULL,
    scores        TEXT NOT NULL,
    q_x100        BIGINT NOT NULL,
    breakdown     TEXT NOT NULL,
    scored_by     TEXT REFERENCES users(id),
    scored_at     BIGINT NOT NULL,
    UNIQUE (model_id, subject_type, subject_id, period)
);
