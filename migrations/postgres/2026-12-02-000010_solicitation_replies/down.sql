DROP TABLE solicitation_replies;
