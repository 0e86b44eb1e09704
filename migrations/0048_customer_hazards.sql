-- Customer-side safety: hazards found at a customer's installation and their loop, and seals on equipment used in
-- violation (issue 13 items 3–4; R2.3, R2.9–R2.11, R2.16). The process is data/flows/customer_hazard.json.
--
-- A hazard is classified by who must fix it (side): grid-side ones get a rectification plan (owner, deadline) and
-- close with evidence; customer-side ones get a notice (用电检查结果通知书) the customer signs for on the crew's
-- phone, a report to the government authority and follow-up checks until rectified. due_at is the current step's
-- deadline (epoch ms, the end of a Shanghai day); escalation is the overdue job's level (0 none, 1 overdue,
-- 2 overdue past the limit's second step), never lowered while the hazard is open.
CREATE TABLE customer_hazards (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,             -- YH20261206-0001
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    check_id         TEXT,                             -- the periodic check that found it (no key: another module's)
    kind             TEXT NOT NULL,                    -- data/flows/customer_hazard.json "kinds"
    side             TEXT NOT NULL CHECK (side IN ('grid', 'customer')),
    severity         TEXT NOT NULL CHECK (severity IN ('general', 'major', 'critical')),
    description      TEXT NOT NULL,
    location         TEXT,                             -- where at the premises / which equipment
    photos           TEXT NOT NULL DEFAULT '[]',       -- JSON array of attachment ids
    found_by         TEXT NOT NULL REFERENCES users(id),
    found_at         BIGINT NOT NULL,
    status           TEXT NOT NULL,
    due_at           BIGINT,
    escalation       INTEGER NOT NULL DEFAULT 0,
    escalated_at     BIGINT,
    -- grid side: the plan
    owner_id         TEXT REFERENCES users(id),
    plan             TEXT,
    deadline         TEXT,                             -- YYYY-MM-DD
    -- customer side: the notice and its signed receipt
    notice_number    TEXT UNIQUE,
    notice_at        BIGINT,
    rectify_by       TEXT,                             -- YYYY-MM-DD printed on the notice
    requirement      TEXT,                             -- what the customer must do, printed on the notice
    signer_name      TEXT,
    signed_at        BIGINT,
    sign_place       TEXT,
    sign_lat         TEXT,
    sign_lng         TEXT,
    signature_id     TEXT,                             -- attachment (PNG of the handwritten signature)
    holding_photo_id TEXT,                             -- attachment (the signer holding the notice)
    received_by      TEXT REFERENCES users(id),        -- the crew member who took the receipt
    reported_at      BIGINT,
    reported_by      TEXT REFERENCES users(id),
    report_ref       TEXT,                             -- the authority's reference or the batch's name
    -- closing
    closed_at        BIGINT,
    closed_by        TEXT REFERENCES users(id),
    closing_note     TEXT,
    evidence         TEXT,                             -- JSON array of attachment ids
    created_by       TEXT REFERENCES users(id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customer_hazards_customer ON customer_hazards(customer_id, status);
CREATE INDEX customer_hazards_found ON customer_hazards(found_at);
CREATE INDEX customer_hazards_due ON customer_hazards(status, due_at);

-- Follow-up checks of a customer-side hazard after its report: each with its day, result and photos. History: a
-- follow-up recorded is never changed.
CREATE TABLE customer_hazard_followups (
    id           TEXT PRIMARY KEY,
    hazard_id    TEXT NOT NULL REFERENCES customer_hazards(id),
    checked_on   TEXT NOT NULL,                        -- YYYY-MM-DD
    result       TEXT NOT NULL CHECK (result IN ('rectified', 'not_rectified', 'partly')),
    note         TEXT,
    photos       TEXT NOT NULL DEFAULT '[]',
    checked_by   TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX customer_hazard_followups_hazard ON customer_hazard_followups(hazard_id, created_at);

-- A sealing of one piece of a customer's equipment used in violation (R2.11): sealed → rectified (the
-- rectification accepted) → removed (by an authorised person). While not removed, power-on of that equipment is
-- refused (customer/interface/seals.h).
CREATE TABLE customer_seals (
    id                 TEXT PRIMARY KEY,
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    hazard_id          TEXT REFERENCES customer_hazards(id),
    equipment          TEXT NOT NULL,                  -- what is sealed: "1号自备发电机", "进线柜联锁"
    reason             TEXT NOT NULL CHECK (reason IN ('unregistered_source', 'defeated_interlock', 'other')),
    note               TEXT,
    status             TEXT NOT NULL CHECK (status IN ('sealed', 'rectified', 'removed')),
    photos             TEXT NOT NULL DEFAULT '[]',
    sealed_by          TEXT NOT NULL REFERENCES users(id),
    sealed_at          BIGINT NOT NULL,
    place              TEXT,
    accepted_by        TEXT REFERENCES users(id),
    accepted_at        BIGINT,
    acceptance_note    TEXT,
    removed_by         TEXT REFERENCES users(id),
    removed_at         BIGINT,
    removal_photos     TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customer_seals_customer ON customer_seals(customer_id, status);

-- The numbered seals of a sealing. A number is unique while in use (released_at NULL); once the sealing is removed
-- its numbers are released and may be used again.
CREATE TABLE customer_seal_numbers (
    seal_id      TEXT NOT NULL REFERENCES customer_seals(id),
    number       TEXT NOT NULL,
    released_at  BIGINT,
    PRIMARY KEY (seal_id, number)
);
CREATE UNIQUE INDEX customer_seal_numbers_in_use ON customer_seal_numbers(number) WHERE released_at IS NULL;

-- The one searchable hazard database (R2.16): the customer hazards and, read-only, the hazards found at joint
-- acceptance (application_hazards, migration 0034), in one shape. The second half reads the acceptance module's
-- table as its published view: a change of application_hazards changes this view with it (same context).
CREATE VIEW hazard_entries AS
SELECT 'customer' AS source, h.id, h.number, h.customer_id, c.name AS customer_name, c.id_type AS name_id_type, h.kind,
       h.side, h.severity, h.description, h.location, h.status, h.found_at, h.due_at, NULL AS deadline, h.closed_at,
       NULL AS application_id
  FROM customer_hazards h JOIN customers c ON c.id = h.customer_id
UNION ALL
SELECT 'application' AS source, a.id, ap.number, ap.customer_id, ap.applicant_name AS customer_name, ap.id_type AS name_id_type,
       'acceptance' AS kind, 'customer' AS side, a.severity, a.description, a.department AS location, a.status, a.found_at,
       NULL AS due_at, a.deadline, a.closed_at, a.application_id
  FROM application_hazards a JOIN applications ap ON ap.id = a.application_id;
