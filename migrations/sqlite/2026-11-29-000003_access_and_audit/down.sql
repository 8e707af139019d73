DROP TABLE audit_settings;
DROP TABLE audit_disclosures;
DROP TABLE api_keys;
DROP TABLE clients;
