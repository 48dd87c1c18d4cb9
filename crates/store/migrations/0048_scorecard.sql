-- 检验标准 (issue #19): each org's scorecard of a period, stored and read, not computed on
-- every page. `scorecard_org`: per period (`2026`, `2026H1`, `2026H2`) and org, the
-- inputs of its subtree (`inputs`: the twenty numerator/denominator pairs as one JSON
-- object — read only for the org asked and its children, a handful of rows; a new
-- figure in the rules needs no migration) and the five subtree scores as columns (what
-- the weakest link reads for every org of a subtree: no JSON to parse there). `orgs`: the
-- orgs of the subtree (what a child weighs); `leaf`: 1 for a grassroots org with no
-- grassroots org below (the orgs the weakest link ranks). `scorecard_built`: the periods
-- built, when, and the fingerprint of the scorecard rules they were built by.
CREATE TABLE scorecard_org (
    period          TEXT NOT NULL,
    org_id          BIGINT NOT NULL,
    parent_id       BIGINT,
    org_path        TEXT COLLATE "C" NOT NULL,
    leaf            BIGINT NOT NULL,
    orgs            BIGINT NOT NULL,
    inputs          TEXT NOT NULL,
    s_function      DOUBLE PRECISION,
    s_cadre         DOUBLE PRECISION,
    s_implementation DOUBLE PRECISION,
    s_development   DOUBLE PRECISION,
    s_satisfaction  DOUBLE PRECISION,
    built_at        TEXT NOT NULL,
    PRIMARY KEY (period, org_id)
);
-- A subtree's orgs are a walk of (period, org_path); a region's children one of
-- (period, parent_id).
CREATE INDEX scorecard_org_walk ON scorecard_org (period, org_path);
CREATE INDEX scorecard_org_parent ON scorecard_org (period, parent_id);
CREATE TABLE scorecard_built (
    period              TEXT NOT NULL PRIMARY KEY,
    built_at            TEXT NOT NULL,
    rules_fingerprint   TEXT NOT NULL
);
