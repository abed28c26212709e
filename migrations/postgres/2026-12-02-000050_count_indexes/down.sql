DROP INDEX opinions_consultation_state;
CREATE INDEX opinions_consultation_state ON opinions (consultation_id, state);
