-- Revised versions of a draft. A version is published when the office makes it public: the
-- first version (the consultation draft) on import, a later one (修改稿, 送审稿 …) when the
-- office publishes it. The public page shows the latest published version (is_current).
ALTER TABLE draft_versions ADD COLUMN published_at TIMESTAMP;
UPDATE draft_versions SET published_at = created_at;

-- Which changes of a later version enact an opinion: the opinion and a clause of the later
-- version, suggested (computed from the alignment) or confirmed by the office or a decider.
CREATE TABLE opinion_changes (
    opinion_id TEXT NOT NULL REFERENCES opinions (id) ON DELETE CASCADE,
    clause_id TEXT NOT NULL REFERENCES clauses (id),
    state TEXT NOT NULL CHECK (state IN ('suggested', 'confirmed')),
    linked_by TEXT REFERENCES users (id),
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (opinion_id, clause_id)
);
CREATE INDEX opinion_changes_clause ON opinion_changes (clause_id);
