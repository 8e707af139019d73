-- SQLite: the same statements as migrations/postgres/2026-12-06-000005_customer_history.
-- Contacts and references become exact per version of their customer, without touching
-- what the current lookup reads. A row of customer_contacts or customer_references
-- belongs to every version from since_version on; a row that a later version removed
-- moves to the matching history table, which also says the first version without it
-- (until_version, exclusive). The set of version v is therefore
--   current rows with since_version <= v
--   UNION history rows with since_version <= v < until_version.
-- Every row stored so far was written for the first version of its customer's sets.

ALTER TABLE customer_contacts ADD COLUMN since_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE customer_references ADD COLUMN since_version INTEGER NOT NULL DEFAULT 1;

-- Contacts that a later version of their customer removed.
CREATE TABLE customer_contacts_history (
    contact_id            BIGINT NOT NULL,
    customer_id           BIGINT NOT NULL,
    contact_number        TEXT,
    relation_type_id      INTEGER REFERENCES relation_types (id),
    contact_name          TEXT,
    contact_phone_code_id INTEGER REFERENCES phone_codes (id),
    primary_contact       BOOLEAN NOT NULL DEFAULT FALSE,
    contact_start_date    TIMESTAMP,
    contact_end_date      TIMESTAMP,
    is_active             BOOLEAN,
    contact_is_enable     BOOLEAN,
    profession            TEXT,
    remarks               TEXT,
    company_id            INTEGER NOT NULL,
    since_version         INTEGER NOT NULL CHECK (since_version > 0),
    until_version         INTEGER NOT NULL,
    -- Also the index of the contacts of one customer's versions, in the order they are
    -- returned, and of the customer foreign key.
    PRIMARY KEY (company_id, customer_id, contact_id, since_version),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id),
    CHECK (until_version > since_version)
);

-- References that a later version of their customer removed.
CREATE TABLE customer_references_history (
    company_id    INTEGER NOT NULL,
    customer_id   BIGINT NOT NULL,
    reference_no  TEXT NOT NULL CHECK (reference_no <> ''),
    since_version INTEGER NOT NULL CHECK (since_version > 0),
    until_version INTEGER NOT NULL,
    -- Also the index of the customer foreign key.
    PRIMARY KEY (company_id, customer_id, reference_no, since_version),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id),
    CHECK (until_version > since_version)
);
-- Lookups as of a moment by reference number, inside one company.
CREATE INDEX customer_references_history_reference_no_idx
    ON customer_references_history (company_id, reference_no);

-- Lookups as of a moment by identification number and by mobile number, on every
-- version; the partial indexes of the current versions stay for today's lookup.
CREATE INDEX customer_versions_identification_idx
    ON customer_versions (company_id, identification_no);
CREATE INDEX customer_versions_mobile_idx
    ON customer_versions (company_id, mobile_number);
