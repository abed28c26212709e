DROP INDEX decisions_status;
DROP INDEX opinions_consultation_created;
DROP TABLE opinion_bands;
DROP TABLE opinion_signatures;
