-- SQLite translation of migrations/postgres/2026-11-29-000004_company_keys/up.sql: every
-- table of customer data carries company_id and every key holds it (docs/scaling.md).
-- SQLite cannot change a primary key or add a foreign key to a table, so the four customer
-- tables are made anew: the old ones are renamed aside (SQLite points the foreign keys
-- of their dependants at the new names), the new ones created, filled from the old ones,
-- the old ones dropped (dependants first) and the indexes created again.
--
-- The keys are composite, so they are no longer aliases of the rowid: SQLite no longer
-- assigns ids, and every insert names its ids (the demo data, the synthetic loader and
-- the tests all do). In PostgreSQL the identity columns still assign them.

ALTER TABLE customer_references RENAME TO customer_references_old;
ALTER TABLE customer_contacts RENAME TO customer_contacts_old;
ALTER TABLE customer_versions RENAME TO customer_versions_old;
ALTER TABLE customers RENAME TO customers_old;

-- A customer belongs to one company for life; its profile lives in its versions.
CREATE TABLE customers (
    customer_id BIGINT NOT NULL CHECK (customer_id > 0),
    company_id  INTEGER NOT NULL REFERENCES companies (company_id),
    PRIMARY KEY (company_id, customer_id)
);
INSERT INTO customers (customer_id, company_id)
SELECT customer_id, company_id FROM customers_old;

CREATE TABLE customer_versions (
    version_id                BIGINT NOT NULL,
    customer_id               BIGINT NOT NULL,
    customer_version_id       INTEGER NOT NULL CHECK (customer_version_id > 0),
    company_id                INTEGER NOT NULL,
    first_name                TEXT,
    middle_name               TEXT,
    last_name                 TEXT,
    company_name              TEXT,
    contact_name              TEXT,
    nationality_id            INTEGER REFERENCES nationalities (id),
    gender_id                 INTEGER REFERENCES genders (id),
    customer_type_id          INTEGER REFERENCES customer_types (id),
    company_type_id           INTEGER REFERENCES company_types (id),
    industry_type_id          INTEGER REFERENCES industry_types (id),
    date_of_birth             TIMESTAMP,
    occupation                TEXT,
    preferred_contact_type_id INTEGER REFERENCES contact_types (id),
    email_address             TEXT,
    phone_code_id             INTEGER REFERENCES phone_codes (id),
    mobile_number             TEXT,
    additional_phone_code_id  INTEGER REFERENCES phone_codes (id),
    additional_mobile_number  TEXT,
    identification_type_id    INTEGER REFERENCES identification_types (id),
    identification_no         TEXT,
    country_id                INTEGER REFERENCES countries (id),
    region_id                 INTEGER REFERENCES regions (id),
    city_id                   INTEGER REFERENCES cities (id),
    zip_code                  TEXT,
    address1                  TEXT,
    address2                  TEXT,
    monthly_income_id         INTEGER REFERENCES income_ranges (id),
    created_date              TIMESTAMP,
    is_active                 BOOLEAN,
    preferred_language_id     INTEGER REFERENCES languages (id),
    national_address          TEXT,
    commercial_record         TEXT,
    plot_identification       TEXT,
    building_no               TEXT,
    unit_no                   TEXT,
    vat_reg_no                TEXT,
    start_date                TIMESTAMP NOT NULL,
    end_date                  TIMESTAMP,
    city_sub_division_name    TEXT,
    postal_code               TEXT,
    user_active               BOOLEAN,
    PRIMARY KEY (company_id, version_id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
INSERT INTO customer_versions (version_id, customer_id, customer_version_id, company_id, first_name, middle_name, last_name, company_name, contact_name, nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id, date_of_birth, occupation, preferred_contact_type_id, email_address, phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number, identification_type_id, identification_no, country_id, region_id, city_id, zip_code, address1, address2, monthly_income_id, created_date, is_active, preferred_language_id, national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no, start_date, end_date, city_sub_division_name, postal_code, user_active)
SELECT version_id, customer_id, customer_version_id, company_id, first_name, middle_name, last_name, company_name, contact_name, nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id, date_of_birth, occupation, preferred_contact_type_id, email_address, phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number, identification_type_id, identification_no, country_id, region_id, city_id, zip_code, address1, address2, monthly_income_id, created_date, is_active, preferred_language_id, national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no, start_date, end_date, city_sub_division_name, postal_code, user_active
FROM customer_versions_old;

-- Contacts belong to the customer, not to one of its versions; they gain its company.
CREATE TABLE customer_contacts (
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
    PRIMARY KEY (company_id, contact_id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id)
);
INSERT INTO customer_contacts (contact_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id, primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks, company_id)
SELECT c.contact_id, c.customer_id, c.contact_number, c.relation_type_id, c.contact_name, c.contact_phone_code_id, c.primary_contact, c.contact_start_date, c.contact_end_date, c.is_active, c.contact_is_enable, c.profession, c.remarks, k.company_id
FROM customer_contacts_old AS c
JOIN customers_old AS k ON k.customer_id = c.customer_id;

-- References (policy, contract, application...) attached to a customer; several each.
CREATE TABLE customer_references (
    reference_id BIGINT NOT NULL,
    company_id   INTEGER NOT NULL,
    customer_id  BIGINT NOT NULL,
    reference_no TEXT NOT NULL CHECK (reference_no <> ''),
    PRIMARY KEY (company_id, reference_id),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id)
);
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no)
SELECT reference_id, company_id, customer_id, reference_no FROM customer_references_old;

-- Replaced by customer_contacts_customer_idx; the other indexes go with their tables
-- and are created again below, unchanged.
DROP INDEX customer_contacts_customer_id_idx;
DROP TABLE customer_references_old;
DROP TABLE customer_contacts_old;
DROP TABLE customer_versions_old;
DROP TABLE customers_old;

-- Versions of a customer are numbered 1, 2, ...; also the index of the customer foreign key.
CREATE UNIQUE INDEX customer_versions_customer_version_key
    ON customer_versions (company_id, customer_id, customer_version_id);
-- At most one current version per customer; also the index of lookups by customer id.
CREATE UNIQUE INDEX customer_versions_current_key
    ON customer_versions (company_id, customer_id) WHERE end_date IS NULL;
-- Lookups by identification number and by mobile number, inside one company.
CREATE INDEX customer_versions_current_identification_idx
    ON customer_versions (company_id, identification_no) WHERE end_date IS NULL;
CREATE INDEX customer_versions_current_mobile_idx
    ON customer_versions (company_id, mobile_number) WHERE end_date IS NULL;
-- Indexes of the foreign keys to reference data.
CREATE INDEX customer_versions_nationality_id_idx ON customer_versions (nationality_id);
CREATE INDEX customer_versions_gender_id_idx ON customer_versions (gender_id);
CREATE INDEX customer_versions_customer_type_id_idx ON customer_versions (customer_type_id);
CREATE INDEX customer_versions_company_type_id_idx ON customer_versions (company_type_id);
CREATE INDEX customer_versions_industry_type_id_idx ON customer_versions (industry_type_id);
CREATE INDEX customer_versions_preferred_contact_type_id_idx ON customer_versions (preferred_contact_type_id);
CREATE INDEX customer_versions_phone_code_id_idx ON customer_versions (phone_code_id);
CREATE INDEX customer_versions_additional_phone_code_id_idx ON customer_versions (additional_phone_code_id);
CREATE INDEX customer_versions_identification_type_id_idx ON customer_versions (identification_type_id);
CREATE INDEX customer_versions_country_id_idx ON customer_versions (country_id);
CREATE INDEX customer_versions_region_id_idx ON customer_versions (region_id);
CREATE INDEX customer_versions_city_id_idx ON customer_versions (city_id);
CREATE INDEX customer_versions_monthly_income_id_idx ON customer_versions (monthly_income_id);
CREATE INDEX customer_versions_preferred_language_id_idx ON customer_versions (preferred_language_id);

-- The contacts of a lookup's customers, inside its company, in the order they are
-- returned; also the index of the customer foreign key.
CREATE INDEX customer_contacts_customer_idx
    ON customer_contacts (company_id, customer_id, contact_id);
CREATE INDEX customer_contacts_relation_type_id_idx ON customer_contacts (relation_type_id);
CREATE INDEX customer_contacts_contact_phone_code_id_idx ON customer_contacts (contact_phone_code_id);

-- A reference is attached to a customer once; also the index of the customer foreign key.
CREATE UNIQUE INDEX customer_references_customer_key
    ON customer_references (company_id, customer_id, reference_no);
-- Lookups by reference number, inside one company.
CREATE INDEX customer_references_reference_no_idx ON customer_references (company_id, reference_no);
