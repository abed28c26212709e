DROP TRIGGER opinions_search_update;
DROP TRIGGER opinions_search_delete;
DROP TRIGGER opinions_search_insert;
DROP TABLE opinion_search;
