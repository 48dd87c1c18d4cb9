-- Organizational life, continued: stored compliance summaries for the levels above the
-- branches (migration 3 holds the meetings and the monthly facts).
-- Summaries for the levels above the branches: per org (committees and general branches
-- with judged branches below) and period ('2026-08', '2026Q3', '2026'), written by a
-- refresh of a whole subtree (`jiceng refresh`, or the server every few minutes), so a
-- province or county page reads a handful of rows; `computed_at` says how fresh they are.
-- Branches and townships are judged live from compliance_month (at once).
CREATE TABLE compliance_summary (
    org_id        BIGINT NOT NULL,
    org_path      TEXT COLLATE "C" NOT NULL,
    period        TEXT NOT NULL,
    branches      BIGINT NOT NULL,
    compliant     BIGINT NOT NULL,
    held_nothing  BIGINT NOT NULL,
    meetings      BIGINT NOT NULL,
    expected      BIGINT NOT NULL,
    present       BIGINT NOT NULL,
    quorum_failed BIGINT NOT NULL,
    computed_at   TEXT NOT NULL,
    PRIMARY KEY (org_id, period)
);
CREATE INDEX compliance_summary_path ON compliance_summary (period, org_path);
