-- Customers and where they take supply (issue 11 item 1, R0.1, R2.16): the customer, their contacts, their
-- accounts (户号), each account's premises (用电地址, voltage, 台区, capacity) and the premises' metering points.
-- The applications of the later items hang on these rows.

-- A customer is a person (resident, or non-resident trading as a person) identified by a resident ID card
-- (GB 11643) or an organisation identified by its unified social credit code (GB 32100). One identity, one
-- customer: the number is unique. org_unit_id is the unit that serves the customer (a business hall, a supply
-- office); NULL means the company as a whole. id_number is stored as entered (upper case): the API masks it, and
-- only GET /customers/{id}/identity returns it whole, audited.
CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,      -- KH20261206-0001, what the counter staff read aloud
    kind         TEXT NOT NULL CHECK (kind IN ('resident', 'non_resident', 'enterprise')),
    name         TEXT NOT NULL,
    id_type      TEXT NOT NULL CHECK (id_type IN ('id_card', 'uscc')),
    id_number    TEXT NOT NULL UNIQUE,
    org_unit_id  TEXT REFERENCES org_units(id),
    note         TEXT,
    created_by   TEXT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customers_org ON customers(org_unit_id);
CREATE INDEX customers_kind ON customers(kind);

-- The people to call about a customer's supply, in the order the customer gave them (position 0 first).
CREATE TABLE customer_contacts (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    role         TEXT,                      -- 本人, 电工, 财务 …: free text
    UNIQUE (customer_id, position)
);

-- An account (户号): the unit of supply and billing. Its number comes from the billing system, unique company-wide.
CREATE TABLE customer_accounts (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    number       TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customer_accounts_customer ON customer_accounts(customer_id);

-- Where an account takes supply. capacity_kva: the contracted capacity; transformer_area: the 台区 (LV) or the
-- feeder (HV) that supplies it.
CREATE TABLE premises (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES customer_accounts(id),
    supply_address    TEXT NOT NULL,
    voltage_level     TEXT NOT NULL,
    transformer_area  TEXT,
    capacity_kva      BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX premises_account ON premises(account_id);

-- A point where energy is measured on a premises. The meter is empty until the installation job records it
-- (issue 11 item 4): asset number, model, when, and the reading at installation.
CREATE TABLE metering_points (
    id               TEXT PRIMARY KEY,
    premises_id      TEXT NOT NULL REFERENCES premises(id),
    number           TEXT NOT NULL UNIQUE,
    purpose          TEXT NOT NULL CHECK (purpose IN ('billing', 'check')),
    status           TEXT NOT NULL CHECK (status IN ('planned', 'installed', 'removed')),
    meter_asset_no   TEXT,
    meter_model      TEXT,
    installed_at     BIGINT,
    install_reading  TEXT,                  -- kWh as written on the meter, a decimal string
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX metering_points_premises ON metering_points(premises_id);
