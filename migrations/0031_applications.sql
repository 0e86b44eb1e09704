-- Customers' applications for a new connection, a capacity increase or a temporary supply (业扩报装; issue 11
-- items 2–3; R0.1, R0.2, R0.6, R0.11): one row per application, run through the stages of
-- data/flows/application.json on the engine's clocks (working days, 十项承诺 limits per track), its documents
-- checked against the kind's list, and the team that owns each stage found by the serving unit's routing.
--
-- kind is what the customer asked for; track is the clock it runs on (the 十项承诺 limit that applies): a capacity
-- increase or a temporary supply runs on the track of its voltage and sources, fixed when the application is taken.
CREATE TABLE applications (
    id                   TEXT PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,       -- YK20261206-0001: what the customer follows it by
    kind                 TEXT NOT NULL CHECK (kind IN ('lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual',
                                                       'capacity_increase', 'temporary')),
    track                TEXT NOT NULL CHECK (track IN ('lv_residential', 'lv_non_residential', 'hv_single', 'hv_dual')),
    status               TEXT NOT NULL,              -- data/flows/application.json
    channel              TEXT NOT NULL CHECK (channel IN ('counter', 'portal', 'phone_95598', 'customer_manager')),
    ev_charger           INTEGER NOT NULL DEFAULT 0, -- a home EV charging pile (LV residential)
    customer_id          TEXT REFERENCES customers(id),
    premises_id          TEXT REFERENCES premises(id),
    metering_point_id    TEXT REFERENCES metering_points(id),
    applicant_name       TEXT NOT NULL,
    applicant_phone      TEXT NOT NULL,              -- the registered phone: the portal's codes go here
    id_type              TEXT CHECK (id_type IS NULL OR id_type IN ('id_card', 'uscc', 'other')),
    id_number            TEXT,
    supply_address       TEXT NOT NULL,
    area                 TEXT,                       -- district / transformer area as the customer or staff gave it
    org_unit_id          TEXT REFERENCES org_units(id), -- the serving unit (internal routing by area)
    voltage_level        TEXT NOT NULL,              -- 220V, 380V, 10kV, 20kV, 35kV, 110kV
    capacity_kva         BIGINT NOT NULL,
    sources              INTEGER NOT NULL DEFAULT 1 CHECK (sources IN (1, 2)),
    purpose              TEXT,                       -- what the supply is for, in the customer's words
    fast_path            INTEGER NOT NULL DEFAULT 0, -- special user or emergency: 容缺受理, first in every queue
    fast_reason          TEXT,
    customer_manager_id  TEXT REFERENCES users(id),  -- HV: the one customer manager (R2.6)
    waiting_reason       TEXT,                       -- the customer's turn: what is asked of them (documents, a redesign)
    hold_reason          TEXT,                       -- held (the clock stopped) in a supplier's stage: why
    held_at              BIGINT,
    accepted_at          BIGINT,
    powered_on_at        BIGINT,
    archived_at          BIGINT,
    cancelled_at         BIGINT,
    cancel_reason        TEXT,
    rating               INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    rating_comment       TEXT,
    rated_at             BIGINT,
    created_by           TEXT REFERENCES users(id),  -- NULL: the customer, through the portal
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX applications_status ON applications(status, created_at);
CREATE INDEX applications_phone ON applications(applicant_phone);
CREATE INDEX applications_customer ON applications(customer_id);
CREATE INDEX applications_manager ON applications(customer_manager_id);
CREATE INDEX applications_org ON applications(org_unit_id);

-- The kind's document list (data/flows/application.json "documents"), one row per document, made when the
-- application is taken: what the counter checked, what is still missing, what the customer uploaded.
CREATE TABLE application_documents (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications(id),
    doc_type        TEXT NOT NULL,                  -- identity, property_proof, load_list, drawings, …
    required        INTEGER NOT NULL DEFAULT 1,
    status          TEXT NOT NULL CHECK (status IN ('missing', 'received', 'accepted', 'rejected')),
    attachment_id   TEXT REFERENCES attachments(id),
    note            TEXT,                           -- why it was rejected, what exactly is needed
    by_customer     INTEGER NOT NULL DEFAULT 0,     -- uploaded through the portal
    received_at     BIGINT,
    checked_by      TEXT REFERENCES users(id),
    checked_at      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    UNIQUE (application_id, doc_type)
);

-- Internal routing: which team owns a stage for a serving unit (the unit the application's area belongs to).
-- No row: the stage's role owns it (shown without a team).
CREATE TABLE application_routing (
    id           TEXT PRIMARY KEY,
    org_unit_id  TEXT NOT NULL REFERENCES org_units(id),
    stage        TEXT NOT NULL,
    team_id      TEXT NOT NULL REFERENCES org_units(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (org_unit_id, stage)
);

-- The customer is told the application's number by SMS when it is taken (where the SMS channel is enabled): the
-- number is what the portal asks for.
UPDATE notify_channels SET templates = '{"verification_code":"【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。","application_received":"【fieldgrid】您的用电申请已受理，申请编号{{number}}，可凭编号和本手机号查询办理进度。"}'
WHERE channel = 'sms' AND templates = '{"verification_code":"【fieldgrid】您的验证码是{{code}}，{{minutes}}分钟内有效，请勿告诉他人。"}';
