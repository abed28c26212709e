-- Search in the triage inbox: trigram GIN indexes (pg_trgm, a trusted extension the database
-- owner may create) on the lower-cased summary and received text, which answer the inbox's
-- LIKE '%…%' for three characters or more without a word segmenter.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX opinions_summary_trgm ON opinions USING gin (lower(summary) gin_trgm_ops);
CREATE INDEX opinions_received_text_trgm ON opinions USING gin (lower(received_text) gin_trgm_ops);
