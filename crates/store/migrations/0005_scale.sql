-- Scale (issue 6): structure anomalies as stored derived facts, and subtree counts, so that
-- a province's structure and coverage summaries are one indexed lookup (SCALE.md).
--
-- One row per anomaly of a live org, computed by `facts::refresh` with the shipped rule set
-- as of the facts day; read by the literal path range of a subtree, in tree order.
CREATE TABLE org_anomaly (
    org_id   BIGINT NOT NULL,
    -- the rule's place in AnomalyRule::ALL (the order a report lists an org's anomalies)
    seq      BIGINT NOT NULL,
    org_path TEXT COLLATE "C" NOT NULL,
    rule     TEXT NOT NULL,
    -- the facts behind it, JSON
    detail   TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX org_anomaly_path ON org_anomaly (org_path, seq);

-- Subtree totals beside the subtree statistics: orgs (dissolved ones included), anomalies
-- by rule and coverage gaps by kind ({"ShouldHaveOrg": n, "Uncovered": n}), and the oldest
-- day on which any org of the subtree had its anomalies computed (NULL: some never were,
-- e.g. a database migrated before `jiceng refresh`). A report uses the stored anomalies only
-- when that day is its own.
ALTER TABLE org_stats ADD COLUMN subtree_orgs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE org_stats ADD COLUMN anomaly_counts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE org_stats ADD COLUMN gap_counts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE org_stats ADD COLUMN checked_on TEXT;
