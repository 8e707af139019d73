-- What each client may do: `read` (look customers up), `write` (change them, through the
-- write API) or `read,write`, in the domain's own text form, read back by its parser.
-- Clients stored before keep what they could do: read only.
ALTER TABLE clients ADD COLUMN permissions TEXT NOT NULL DEFAULT 'read'
    CHECK (permissions <> '');
