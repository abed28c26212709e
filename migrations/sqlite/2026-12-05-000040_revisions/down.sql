DROP TABLE opinion_changes;
ALTER TABLE draft_versions DROP COLUMN published_at;
