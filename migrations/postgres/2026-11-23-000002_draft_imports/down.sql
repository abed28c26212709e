DROP TABLE draft_imports;
