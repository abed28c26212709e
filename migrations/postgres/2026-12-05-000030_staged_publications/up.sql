-- A large report is published in steps, so that no single transaction holds the database long:
-- the edition is written while hidden (complete = FALSE), made visible in one short step, and
-- then its follow-up (decision history, opinions marked published, notices to commenters) is
-- done in chunks (followed_up = FALSE until all are done; the clock finishes an interrupted one).
ALTER TABLE publications ADD COLUMN complete BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE publications ADD COLUMN followed_up BOOLEAN NOT NULL DEFAULT TRUE;
