DROP TABLE publication_snapshots;
ALTER TABLE publications DROP COLUMN followed_up;
ALTER TABLE publications DROP COLUMN complete;
