-- 发展成效 scored by hand (issue #19): the one scorecard indicator no record yields
-- (`development_score`, 保证作用是否明显 — collective economy projects, services, the
-- results a department judges). One score (0–100) per org and period, with the reason
-- and who gave it; a period's build adds them up the tree like every other figure.
-- Scoring marks the period's build stale, so its next read builds it again.
CREATE TABLE scorecard_hand (
    period      TEXT NOT NULL,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    score       BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    scored_by   TEXT NOT NULL,
    scored_at   TEXT NOT NULL,
    PRIMARY KEY (period, org_id)
);
CREATE INDEX scorecard_hand_walk ON scorecard_hand (period, org_path);

-- A region's children are read in path order: with (period, parent_id) alone, SQLite
-- (without statistics for the table) walked (period, org_path) for the order and
-- filtered the whole period — 80 ms for a township's handful of children at a
-- province. This index serves the filter and the order at once.
DROP INDEX scorecard_org_parent;
CREATE INDEX scorecard_org_parent ON scorecard_org (period, parent_id, org_path);
