DROP INDEX outbox_failed;
ALTER TABLE outbox_messages DROP COLUMN failed_at;
