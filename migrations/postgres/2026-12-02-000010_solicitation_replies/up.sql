-- Every version of a solicited unit's reply (定向征求的回复): opinions or 无修改意见, by the
-- unit itself or recorded by staff from a paper letter. Earlier versions are kept; the
-- submission of a superseded version is marked withdrawn.
CREATE TABLE solicitation_replies (
    id TEXT PRIMARY KEY NOT NULL,
    solicitation_id TEXT NOT NULL REFERENCES solicitations (id),
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('opinions', 'no_comment')),
    note TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('department', 'letter')),
    submission_id TEXT REFERENCES submissions (id),
    attachment_id TEXT REFERENCES attachments (id),
    opinion_count BIGINT NOT NULL,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    UNIQUE (solicitation_id, version)
);
CREATE INDEX solicitation_replies_solicitation ON solicitation_replies (solicitation_id, version);
