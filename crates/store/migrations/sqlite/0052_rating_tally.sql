-- SQLite's own script (CROSS JOIN fixes the join order; it has no LATERAL).
-- Each org's stars over its subtree per year (issue #20 point 4: the stars distribution at
-- a province's root ≤ 50 ms): how many rated orgs of the subtree, the org itself included,
-- hold each number of stars (-1: rated without stars). A rating run rewrites its subtree's
-- rows and moves its ancestors' by the difference; a hand adjustment moves its chain by
-- one; a subtree move takes the subtree's counts from the old chain to the new. The page
-- reads one row per child and star count instead of counting every rated org below.
CREATE TABLE rating_tally (
    org_id BIGINT NOT NULL,
    year   BIGINT NOT NULL,
    stars  BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, stars)
);
-- The ratings stored before: every org's subtree counted from them, one index range of
-- `rating (year, org_path)` per org and year (CROSS JOIN keeps that order in SQLite).
INSERT INTO rating_tally (org_id, year, stars, n)
SELECT o.id, y.year, COALESCE(r.adjusted_stars, r.computed_stars, -1), COUNT(*)
FROM (SELECT DISTINCT year FROM rating) y
CROSS JOIN org o
CROSS JOIN rating r
WHERE r.year = y.year AND r.org_path >= o.path
    AND r.org_path < SUBSTR(o.path, 1, LENGTH(o.path) - 1) || '0'
GROUP BY o.id, y.year, COALESCE(r.adjusted_stars, r.computed_stars, -1);
