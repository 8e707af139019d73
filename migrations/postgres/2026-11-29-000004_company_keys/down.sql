-- Back to keys without company_id. Fails when two companies have a customer (or a
-- version, contact or reference) of the same id, which the old keys cannot hold.

ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_company_id_customer_id_fkey;
ALTER TABLE customer_versions DROP CONSTRAINT customer_versions_company_id_customer_id_fkey;
ALTER TABLE customer_references DROP CONSTRAINT customer_references_company_id_customer_id_fkey;

ALTER TABLE customers DROP CONSTRAINT customers_pkey;
ALTER TABLE customers ADD CONSTRAINT customers_pkey PRIMARY KEY (customer_id);
ALTER TABLE customers
    ADD CONSTRAINT customers_company_id_customer_id_key UNIQUE (company_id, customer_id);

ALTER TABLE customer_versions DROP CONSTRAINT customer_versions_pkey;
ALTER TABLE customer_versions ADD CONSTRAINT customer_versions_pkey PRIMARY KEY (version_id);
ALTER TABLE customer_versions
    ADD CONSTRAINT customer_versions_company_id_customer_id_fkey
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id);

ALTER TABLE customer_references DROP CONSTRAINT customer_references_pkey;
ALTER TABLE customer_references
    ADD CONSTRAINT customer_references_pkey PRIMARY KEY (reference_id);
ALTER TABLE customer_references
    ADD CONSTRAINT customer_references_company_id_customer_id_fkey
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id);

ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_pkey;
ALTER TABLE customer_contacts ADD CONSTRAINT customer_contacts_pkey PRIMARY KEY (contact_id);
DROP INDEX customer_contacts_customer_idx;
ALTER TABLE customer_contacts DROP COLUMN company_id;
CREATE INDEX customer_contacts_customer_id_idx ON customer_contacts (customer_id, contact_id);
ALTER TABLE customer_contacts
    ADD CONSTRAINT customer_contacts_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (customer_id);
