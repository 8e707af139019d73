-- Every table of customer data carries company_id and every key holds it, so that the
-- tables can be distributed by company (Citus: docs/scaling.md) and each lookup, which
-- names one company, reads one shard. A customer id is unique inside its company, the
-- identity the service uses.

-- Contacts gain the company of their customer.
ALTER TABLE customer_contacts ADD COLUMN company_id INTEGER;
UPDATE customer_contacts AS c
SET company_id = k.company_id
FROM customers AS k
WHERE k.customer_id = c.customer_id;
ALTER TABLE customer_contacts ALTER COLUMN company_id SET NOT NULL;

-- The foreign keys to customers point at its old keys: dropped while the keys change.
ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_customer_id_fkey;
ALTER TABLE customer_versions DROP CONSTRAINT customer_versions_company_id_customer_id_fkey;
ALTER TABLE customer_references DROP CONSTRAINT customer_references_company_id_customer_id_fkey;

-- (company_id, customer_id) becomes the primary key; the UNIQUE constraint that was the
-- target of the composite foreign keys would repeat it.
ALTER TABLE customers DROP CONSTRAINT customers_pkey;
ALTER TABLE customers DROP CONSTRAINT customers_company_id_customer_id_key;
ALTER TABLE customers ADD CONSTRAINT customers_pkey PRIMARY KEY (company_id, customer_id);

ALTER TABLE customer_versions DROP CONSTRAINT customer_versions_pkey;
ALTER TABLE customer_versions
    ADD CONSTRAINT customer_versions_pkey PRIMARY KEY (company_id, version_id);

ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_pkey;
ALTER TABLE customer_contacts
    ADD CONSTRAINT customer_contacts_pkey PRIMARY KEY (company_id, contact_id);

ALTER TABLE customer_references DROP CONSTRAINT customer_references_pkey;
ALTER TABLE customer_references
    ADD CONSTRAINT customer_references_pkey PRIMARY KEY (company_id, reference_id);

-- Every row stays in the company of its customer.
ALTER TABLE customer_versions
    ADD CONSTRAINT customer_versions_company_id_customer_id_fkey
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id);
ALTER TABLE customer_contacts
    ADD CONSTRAINT customer_contacts_company_id_customer_id_fkey
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id);
ALTER TABLE customer_references
    ADD CONSTRAINT customer_references_company_id_customer_id_fkey
    FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, customer_id);

-- The contacts of a lookup's customers, inside its company, in the order they are
-- returned; also the index of the customer foreign key.
DROP INDEX customer_contacts_customer_id_idx;
CREATE INDEX customer_contacts_customer_idx
    ON customer_contacts (company_id, customer_id, contact_id);
