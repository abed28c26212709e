DROP INDEX opinions_received_text_trgm;
DROP INDEX opinions_summary_trgm;
