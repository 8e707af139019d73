-- Back to contacts and references of the customer: the rows that later versions removed
-- are lost.
DROP INDEX customer_versions_mobile_idx;
DROP INDEX customer_versions_identification_idx;
DROP TABLE customer_references_history;
DROP TABLE customer_contacts_history;
ALTER TABLE customer_references DROP COLUMN since_version;
ALTER TABLE customer_contacts DROP COLUMN since_version;
