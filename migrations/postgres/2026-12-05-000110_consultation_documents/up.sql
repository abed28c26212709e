-- Documents the office publishes beside a draft: its 起草说明 (drafting explanation), a 政策解读
-- (policy interpretation), or another public file. Each is an attached file, shown on the
-- consultation's public page in the office's order.
CREATE TABLE consultation_documents (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations(id),
    kind TEXT NOT NULL CHECK (kind IN ('explanation', 'interpretation', 'other')),
    title TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    position BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_documents_by_consultation ON consultation_documents (consultation_id, position);
