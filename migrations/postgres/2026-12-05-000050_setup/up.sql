-- A consultation created at setup to show a newcomer every page; deletable in one action.
ALTER TABLE consultations ADD COLUMN sample BOOLEAN NOT NULL DEFAULT FALSE;
