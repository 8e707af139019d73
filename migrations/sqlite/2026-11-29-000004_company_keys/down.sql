-- Back to the tables of migrations/sqlite/2026-11-26-000001_schema, made anew as up.sql
-- does. Fails when two companies have a customer (or a version, contact or reference) of
-- the same id, which the old keys cannot hold.

ALTER TABLE customer_references RENAME TO customer_references_old;
ALTER TABLE customer_contacts RENAME TO customer_contacts_old;
ALTER TABLE customer_versions RENAME TO customer_versions_old;
ALTER TABLE customers RENAME TO customers_old;

-- A customer belongs to one company for life; its profile lives in its versions.
CREATE TABLE customers (
    customer_id BIGINT NOT NULL PRIMARY KEY CHECK (customer_id > 0),
    company_id  INTEGER NOT NULL REFERENCES companies (company_id),
    -- Target of the (company_id, customer_id) foreign keys, which keep every version and
    -- reference in the company of its customer; also the foreign key's index.
    UNIQUE (company_id, customer_id)
);
INSERT INTO customers (customer_id, company_id)
SELECT customer_id, company_id FROM customers_old;

CREATE TABLE customer_versions (
    version_id                INTEGER PRIMARY KEY,
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
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
INSERT INTO customer_versions (version_id, customer_id, customer_version_id, company_id, first_name, middle_name, last_name, company_name, contact_name, nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id, date_of_birth, occupation, preferred_contact_type_id, email_address, phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number, identification_type_id, identification_no, country_id, region_id, city_id, zip_code, address1, address2, monthly_income_id, created_date, is_active, preferred_language_id, national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no, start_date, end_date, city_sub_division_name, postal_code, user_active)
SELECT version_id, customer_id, customer_version_id, company_id, first_name, middle_name, last_name, company_name, contact_name, nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id, date_of_birth, occupation, preferred_contact_type_id, email_address, phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number, identification_type_id, identification_no, country_id, region_id, city_id, zip_code, address1, address2, monthly_income_id, created_date, is_active, preferred_language_id, national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no, start_date, end_date, city_sub_division_name, postal_code, user_active
FROM customer_versions_old;

-- Contacts belong to the customer, not to one of its versions.
CREATE TABLE customer_contacts (
    contact_id            INTEGER PRIMARY KEY,
    customer_id           BIGINT NOT NULL REFERENCES customers (customer_id),
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
    remarks               TEXT
);
INSERT INTO customer_contacts (contact_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id, primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks)
SELECT contact_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id, primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks FROM customer_contacts_old;

-- References (policy, contract, application...) attached to a customer; several each.
CREATE TABLE customer_references (
    reference_id INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL,
    customer_id  BIGINT NOT NULL,
    reference_no TEXT NOT NULL CHECK (reference_no <> ''),
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id)
);
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no)
SELECT reference_id, company_id, customer_id, reference_no FROM customer_references_old;

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

-- Index of the customer foreign key, in the order contacts are returned.
CREATE INDEX customer_contacts_customer_id_idx ON customer_contacts (customer_id, contact_id);
CREATE INDEX customer_contacts_relation_type_id_idx ON customer_contacts (relation_type_id);
CREATE INDEX customer_contacts_contact_phone_code_id_idx ON customer_contacts (contact_phone_code_id);

-- A reference is attached to a customer once; also the index of the customer foreign key.
CREATE UNIQUE INDEX customer_references_customer_key
    ON customer_references (company_id, customer_id, reference_no);
-- Lookups by reference number, inside one company.
CREATE INDEX customer_references_reference_no_idx ON customer_references (company_id, reference_no);
