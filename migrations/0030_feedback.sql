-- Feedback and complaints (R0.10, R2.13; issue 11 item 9): what customers tell the company through 95598, SMS,
-- online questionnaires, the counter or third-party ratings, each handled on the clock of data/flows/feedback.json
-- (received → contacted → answered → closed, reopen) and closed with the answer and the customer's satisfaction;
-- improvements recorded and linked to the items that asked for them.
--
-- customer_id and application_no name a customer and an application of the customer context's other modules, but
-- are kept as text without a foreign key: an item is taken down as the customer says it (often before anyone knows
-- the account), and linked later.
CREATE TABLE feedback_items (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,        -- KF20261206-0001, read out to the customer
    status          TEXT NOT NULL,               -- data/flows/feedback.json
    kind            TEXT NOT NULL CHECK (kind IN ('complaint', 'opinion', 'praise', 'rating', 'inquiry')),
    channel         TEXT NOT NULL CHECK (channel IN ('phone_95598', 'sms', 'questionnaire', 'counter', 'rating_import')),
    subject         TEXT NOT NULL,
    text            TEXT,
    contact_name    TEXT,
    contact_phone   TEXT,
    customer_id     TEXT,
    application_no  TEXT,
    rating          INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    received_at     BIGINT NOT NULL,             -- when the customer spoke (the clock starts here)
    contact_due_at  BIGINT,                      -- NULL: no clock (praise, good ratings) or a year the calendar lacks
    reply_due_at    BIGINT,
    contacted_at    BIGINT,
    contacted_by    TEXT REFERENCES users(id),
    contact_note    TEXT,
    answered_at     BIGINT,
    answered_by     TEXT REFERENCES users(id),
    answer          TEXT,
    satisfaction    TEXT CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    closed_at       BIGINT,
    closed_by       TEXT REFERENCES users(id),
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    source          TEXT,                        -- a ratings import: the platform ('meituan', …)
    source_ref      TEXT,                        -- and its own id of the rating: imported once
    created_by      TEXT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX feedback_items_source ON feedback_items(source, source_ref);
CREATE INDEX feedback_items_status ON feedback_items(status, received_at);

CREATE TABLE feedback_improvements (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES users(id),
    due_date     TEXT NOT NULL,                  -- YYYY-MM-DD, Shanghai
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    outcome      TEXT,
    done_at      BIGINT,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE feedback_improvement_items (
    improvement_id  TEXT NOT NULL REFERENCES feedback_improvements(id),
    item_id         TEXT NOT NULL REFERENCES feedback_items(id),
    PRIMARY KEY (improvement_id, item_id)
);
CREATE INDEX feedback_improvement_items_item ON feedback_improvement_items(item_id);
