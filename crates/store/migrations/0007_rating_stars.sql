-- The stars distribution of a subtree (the ratings page of a province: 355 thousand rated
-- orgs) read from the index alone: year, then the literal path range, then the stars.
-- It replaces rating_path, of which it is an extension.
CREATE INDEX rating_stars ON rating (year, org_path, adjusted_stars, computed_stars);
DROP INDEX rating_path;
