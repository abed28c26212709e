-- Search in the triage inbox: an FTS5 index with the trigram tokenizer, which finds any
-- substring of three characters or more (Chinese needs no word segmenter that way), over an
-- opinion's summary and received text. It keeps no copy of the texts (external content: the
-- opinions table) and is kept up to date by triggers. Opinions' rowids are stable as long as the
-- database is not VACUUMed; after a VACUUM, run
-- INSERT INTO opinion_search(opinion_search) VALUES ('rebuild').
CREATE VIRTUAL TABLE opinion_search USING fts5(
    summary, received_text, content = 'opinions', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO opinion_search (rowid, summary, received_text)
    SELECT rowid, summary, received_text FROM opinions;
CREATE TRIGGER opinions_search_insert AFTER INSERT ON opinions BEGIN
    INSERT INTO opinion_search (rowid, summary, received_text)
        VALUES (new.rowid, new.summary, new.received_text);
END;
CREATE TRIGGER opinions_search_delete AFTER DELETE ON opinions BEGIN
    INSERT INTO opinion_search (opinion_search, rowid, summary, received_text)
        VALUES ('delete', old.rowid, old.summary, old.received_text);
END;
CREATE TRIGGER opinions_search_update AFTER UPDATE OF summary, received_text ON opinions BEGIN
    INSERT INTO opinion_search (opinion_search, rowid, summary, received_text)
        VALUES ('delete', old.rowid, old.summary, old.received_text);
    INSERT INTO opinion_search (rowid, summary, received_text)
        VALUES (new.rowid, new.summary, new.received_text);
END;
