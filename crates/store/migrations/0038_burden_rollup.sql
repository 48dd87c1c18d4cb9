-- 减负台账 counted up the tree (issue #17, point 6): each org's month over all issuers
-- (`burden_org`, the heaviest read from it by level and items), and per org on the way from
-- the root and month: the orgs below by level and month total (`burden_rollup`: the orgs at
-- or over any ceiling counted without reading them) and by issuer (`burden_issuer`). Moved
-- in the transaction that adds to the ledger; a month is counted whole the first time it is
-- needed (`burden_rolled`), and again after a subtree move.
CREATE TABLE burden_org (
    org_id     BIGINT NOT NULL,
    org_path   TEXT COLLATE "C" NOT NULL,
    year_month TEXT NOT NULL,
    level      TEXT NOT NULL,
    items      BIGINT NOT NULL,
    questions  BIGINT NOT NULL,
    answered   BIGINT NOT NULL,
    asked_held BIGINT NOT NULL,
    PRIMARY KEY (org_id, year_month)
);
CREATE INDEX burden_org_rank ON burden_org (year_month, level, items, org_id);
CREATE INDEX burden_org_path ON burden_org (year_month, org_path);

CREATE TABLE burden_rollup (
    anc_id     BIGINT NOT NULL,
    year_month TEXT NOT NULL,
    level      TEXT NOT NULL,
    items      BIGINT NOT NULL,
    orgs       BIGINT NOT NULL,
    questions  BIGINT NOT NULL,
    answered   BIGINT NOT NULL,
    asked_held BIGINT NOT NULL,
    PRIMARY KEY (anc_id, year_month, level, items)
);
CREATE INDEX burden_rollup_month ON burden_rollup (year_month);

CREATE TABLE burden_issuer (
    anc_id     BIGINT NOT NULL,
    year_month TEXT NOT NULL,
    issuer_id  BIGINT NOT NULL,
    orgs       BIGINT NOT NULL,
    items      BIGINT NOT NULL,
    questions  BIGINT NOT NULL,
    answered   BIGINT NOT NULL,
    asked_held BIGINT NOT NULL,
    PRIMARY KEY (anc_id, year_month, issuer_id)
);
CREATE INDEX burden_issuer_month ON burden_issuer (year_month);

CREATE TABLE burden_rolled (
    year_month TEXT PRIMARY KEY
);
