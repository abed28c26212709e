DROP INDEX opinions_needs_signature;
ALTER TABLE opinions DROP COLUMN needs_signature;
