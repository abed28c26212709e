-- What each published edition of the report told every commenter: one row per opinion, frozen
-- with the publication, so tracking pages show what was published, not later edits.
CREATE TABLE publication_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    publication_id TEXT NOT NULL REFERENCES publications (id),
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    opinion_id TEXT NOT NULL REFERENCES opinions (id),
    position BIGINT NOT NULL,
    opinion TEXT NOT NULL,
    status TEXT NOT NULL,
    status_label TEXT NOT NULL,
    rationale TEXT,
    UNIQUE (publication_id, opinion_id)
);
CREATE INDEX publication_decisions_submission ON publication_decisions (submission_id, publication_id);
