-- SQLite translation of migrations/postgres/2026-11-29-000003_access_and_audit/up.sql:
-- the same tables, columns (in the same order), nullability, keys, checks and indexes.
-- Only what SQLite needs differs:
-- * identity keys are INTEGER PRIMARY KEY (an alias of the rowid, so ids auto-assign);
-- * audit_disclosures is one table, not partitioned by month; its primary key is id
--   alone, so occurred_at has an index of its own (in PostgreSQL the primary key
--   (occurred_at, id) is that index);
-- * there are no partitions to create.
-- TIMESTAMP columns hold text ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC).

-- Callers of the service. `companies` and `rate_limit` hold the domain's own text forms
-- (`all` or `jfc,jtc`; `50/s` or `600/min`), read back by their parsers.
CREATE TABLE clients (
    client_id   INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    companies   TEXT NOT NULL CHECK (companies <> ''),
    rate_limit  TEXT,
    created_at  TIMESTAMP NOT NULL
);

-- A client's API keys: only the SHA-256 of each whole key is kept, never the key.
CREATE TABLE api_keys (
    key_id       TEXT NOT NULL PRIMARY KEY CHECK (length(key_id) = 12),
    client_id    INTEGER NOT NULL REFERENCES clients (client_id),
    key_hash     TEXT NOT NULL CHECK (length(key_hash) = 64),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    expires_at   TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_keys_client_id_idx ON api_keys (client_id);

-- One row per answered lookup, hit or miss. Times are UTC. The criteria searched are
-- kept as keyed hashes only (HMAC-SHA256, hex), `criteria` naming them in contract order;
-- `disclosed` is a compact JSON array of {"customerId", "customerVersionId"}.
CREATE TABLE audit_disclosures (
    id                     INTEGER PRIMARY KEY,
    occurred_at            TIMESTAMP NOT NULL,
    request_id             TEXT NOT NULL,
    client_name            TEXT NOT NULL,
    credential             TEXT NOT NULL,
    company_code           TEXT NOT NULL,
    criteria               TEXT NOT NULL,
    customer_id_hmac       TEXT,
    identification_no_hmac TEXT,
    mobile_number_hmac     TEXT,
    reference_no_hmac      TEXT,
    customers_returned     INTEGER NOT NULL CHECK (customers_returned >= 0),
    disclosed              TEXT NOT NULL
);
-- The time range every query bounds (`since`, pruning).
CREATE INDEX audit_disclosures_occurred_at_idx ON audit_disclosures (occurred_at);

-- Few indexes: every one is paid for by each lookup's insert. The lookups of one client;
-- the subject-access searches by mobile and identification number (partial: lookups
-- without that criterion add no entry). Searches by customer id or reference number
-- digest, and by disclosed customer (`json_each(disclosed)`), scan the rows since the
-- query's `since` bound: rare requests, not worth a cost on every insert.
CREATE INDEX audit_disclosures_client_idx ON audit_disclosures (client_name, occurred_at);
CREATE INDEX audit_disclosures_mobile_number_idx
    ON audit_disclosures (mobile_number_hmac) WHERE mobile_number_hmac IS NOT NULL;
CREATE INDEX audit_disclosures_identification_no_idx
    ON audit_disclosures (identification_no_hmac) WHERE identification_no_hmac IS NOT NULL;

-- The key of the criteria's keyed hashes when none is configured: one row, made on first
-- use by the adapter (hex of 32 random bytes).
CREATE TABLE audit_settings (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    hmac_key  TEXT NOT NULL CHECK (hmac_key <> '')
);
