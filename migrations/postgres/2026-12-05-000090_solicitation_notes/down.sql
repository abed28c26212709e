ALTER TABLE solicitations DROP COLUMN closed_early_reason;
ALTER TABLE solicitations DROP COLUMN closed_early_at;
