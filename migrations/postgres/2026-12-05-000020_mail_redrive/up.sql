-- When an email failed after a delivery it may yet make (a server that was away, a full
-- disk); NULL when it was refused or could not be composed, which a retry cannot mend. The
-- sender queues the first kind again on its own for a while once deliveries succeed again.
ALTER TABLE outbox_messages ADD COLUMN failed_at TIMESTAMP;
CREATE INDEX outbox_failed ON outbox_messages (state, failed_at);
