-- Back to clients that may all read and none write: what each was permitted is lost.
ALTER TABLE clients DROP COLUMN permissions;
