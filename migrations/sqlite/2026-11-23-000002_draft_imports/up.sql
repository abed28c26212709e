-- A draft being imported: the decoded source and the adjustments staff made in the preview,
-- kept until it is saved as a draft version (or abandoned).
CREATE TABLE draft_imports (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    filename TEXT,
    encoding TEXT NOT NULL,
    source_text TEXT NOT NULL,
    ops_json TEXT NOT NULL DEFAULT '[]',
    saved_version_id TEXT REFERENCES draft_versions (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX draft_imports_consultation ON draft_imports (consultation_id, created_at);
