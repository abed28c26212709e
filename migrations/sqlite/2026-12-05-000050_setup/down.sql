ALTER TABLE consultations DROP COLUMN sample;
