-- The office's own 修改说明 for a change of a revised version ("根据工作需要调整" …), printed in
-- the comparison table's note column. Keyed by the changed clause: the clause of the later
-- version, or of the earlier one when it was deleted.
CREATE TABLE change_notes (
    clause_id TEXT PRIMARY KEY NOT NULL REFERENCES clauses(id),
    note TEXT NOT NULL,
    noted_by TEXT REFERENCES users(id),
    noted_at TIMESTAMP NOT NULL
);
