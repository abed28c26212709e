-- A unit's solicitation closed before its deadline (the report was published while the unit
-- had not replied yet): when and why (who did it is in the audit log). The state stays
-- 'pending', as the unit did not reply; closed_early_at set means it can no longer reply.
ALTER TABLE solicitations ADD COLUMN closed_early_at TIMESTAMP;
ALTER TABLE solicitations ADD COLUMN closed_early_reason TEXT;
