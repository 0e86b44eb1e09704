-- Contractors (R2.8, R2.15): outsourced companies, their qualification, their signed safety agreements, their staff.
-- A contractor's staff are ordinary accounts (they sign in to the phone app as crew); belonging to a contractor
-- adds conditions to their readiness: the company's qualification in date, a safety agreement in force, the
-- company not suspended. Work with contractor staff on it is always supervised.
CREATE TABLE contractors (
    id                        TEXT PRIMARY KEY,
    name                      TEXT NOT NULL,
    credit_code               TEXT,                 -- 统一社会信用代码 (18 characters)
    contact_name              TEXT,
    contact_phone             TEXT,
    qualification_name        TEXT,                 -- e.g. 承装（修、试）电力设施许可证
    qualification_no          TEXT,
    qualification_grade       TEXT,
    qualification_expires_on  TEXT,                 -- YYYY-MM-DD; NULL: not on file, so not qualified
    suspended                 INTEGER NOT NULL DEFAULT 0,
    suspended_reason          TEXT,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL,
    version                   BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX contractors_name ON contractors(name);

-- A safety agreement (安全协议) is signed for a period; the newest one in force counts. Appended, never edited.
CREATE TABLE contractor_agreements (
    id                TEXT PRIMARY KEY,
    contractor_id     TEXT NOT NULL REFERENCES contractors(id),
    number            TEXT NOT NULL,
    signed_on         TEXT NOT NULL,        -- YYYY-MM-DD
    expires_on        TEXT NOT NULL,        -- YYYY-MM-DD
    contractor_signer TEXT NOT NULL,        -- who signed for the contractor
    attachment_id     TEXT REFERENCES attachments(id), -- the signed scan
    recorded_by       TEXT REFERENCES users(id),  -- NULL: the system (the demo loader)
    recorded_at       BIGINT NOT NULL
);
CREATE INDEX contractor_agreements_contractor ON contractor_agreements(contractor_id);

-- One person works for at most one contractor.
CREATE TABLE contractor_staff (
    user_id        TEXT PRIMARY KEY REFERENCES users(id),
    contractor_id  TEXT NOT NULL REFERENCES contractors(id),
    added_by       TEXT REFERENCES users(id),     -- NULL: the system
    added_at       BIGINT NOT NULL
);
CREATE INDEX contractor_staff_contractor ON contractor_staff(contractor_id);
