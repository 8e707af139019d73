DROP TABLE audit_settings;
-- Drops its partitions with it.
DROP TABLE audit_disclosures;
DROP TABLE api_keys;
DROP TABLE clients;
