DROP TABLE publication_decisions;
