-- 发展党员 counted per org (issue #14, point 8): each org's subtree tally as JSON — people
-- by stage, violations by stage, the next steps' deadlines by day, each year's admissions
-- by plan target (`jiceng_domain::recruitment::Tally`) — recomputed with the org's facts
-- in the transaction of every write below it, so the overview of a province reads one row
-- per org it lists. An org without a row has nobody in its subtree. A database that held
-- applicants before this migration has its rows made when the app opens it.
CREATE TABLE recruitment_tally (
    org_id      BIGINT PRIMARY KEY,
    tally       TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
