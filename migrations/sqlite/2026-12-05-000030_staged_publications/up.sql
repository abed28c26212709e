-- A large report is published in steps, so that no single transaction holds the database long:
-- the edition is written while hidden (complete = FALSE), made visible in one short step, and
-- then its follow-up (decision history, opinions marked published, notices to commenters) is
-- done in chunks (followed_up = FALSE until all are done; the clock finishes an interrupted one).
ALTER TABLE publications ADD COLUMN complete BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE publications ADD COLUMN followed_up BOOLEAN NOT NULL DEFAULT TRUE;

-- The frozen models of an edition, in parts of at most a megabyte, each written in its own
-- short transaction (a 50,000-opinion report is tens of megabytes of JSON). The publication's
-- own model columns stay empty for such editions.
CREATE TABLE publication_snapshots (
    publication_id TEXT NOT NULL REFERENCES publications (id),
    edition TEXT NOT NULL CHECK (edition IN ('internal', 'public')),
    seq BIGINT NOT NULL,
    part TEXT NOT NULL,
    PRIMARY KEY (publication_id, edition, seq)
);
