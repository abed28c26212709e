-- Triage: duplicate detection state and the indexes the inbox needs.

-- The MinHash signature of each opinion's received text (64 values, hex), and whether staff
-- took the opinion out of its cluster (it then stays out of automatic clustering).
CREATE TABLE opinion_signatures (
    opinion_id TEXT PRIMARY KEY NOT NULL REFERENCES opinions (id) ON DELETE CASCADE,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    signature TEXT NOT NULL,
    detached BOOLEAN NOT NULL DEFAULT FALSE,
    computed_at TIMESTAMP NOT NULL
);
CREATE INDEX opinion_signatures_consultation ON opinion_signatures (consultation_id, computed_at);

-- LSH band keys: opinions sharing a key are candidate duplicates, so a new opinion is compared
-- with a handful of others instead of all of them.
CREATE TABLE opinion_bands (
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    band_key BIGINT NOT NULL,
    opinion_id TEXT NOT NULL REFERENCES opinions (id) ON DELETE CASCADE,
    PRIMARY KEY (consultation_id, band_key, opinion_id)
);
CREATE INDEX opinion_bands_opinion ON opinion_bands (opinion_id);

-- The inbox lists a consultation's opinions newest first, a page at a time.
CREATE INDEX opinions_consultation_created ON opinions (consultation_id, created_at, id);
CREATE INDEX decisions_status ON decisions (status);
