DROP TABLE change_notes;
