DROP TABLE consultation_documents;
