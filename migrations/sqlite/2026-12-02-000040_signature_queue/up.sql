-- Duplicate detection keeps up as opinions arrive: a new opinion is marked as waiting for its
-- signature, and a partial index holds just the waiting ones, so the worker that signs them
-- finds them at once however many opinions are already signed.
ALTER TABLE opinions ADD COLUMN needs_signature BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE opinions SET needs_signature = FALSE
  WHERE id IN (SELECT opinion_id FROM opinion_signatures);
CREATE INDEX opinions_needs_signature ON opinions (consultation_id, created_at) WHERE needs_signature;
