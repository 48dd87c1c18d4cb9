-- 经费保障 and 活动场所 counted per org (issue #18): a province's overviews read stored
-- figures instead of grouping a year's records over its whole path range.
-- `funding_tally`: each org's subtree of a year — sums by kind and source, orgs with a
-- record, and how its judged orgs stand against the year's standards (JSON).
-- `funding_listed`: each org of a year that a list names — below standard, without a
-- 运转经费 record (未录入), or a village with a collective income — in path order.
-- `funding_built`: the years built whole, with the standards they were judged by; a
-- year is built on its first overview and kept current by every write after.
CREATE TABLE funding_tally (
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    tally       TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE TABLE funding_listed (
    org_id        BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    status        TEXT NOT NULL,
    org_path      TEXT COLLATE "C" NOT NULL,
    standard_fen  BIGINT,
    fen           BIGINT,
    PRIMARY KEY (org_id, year, status)
);
CREATE INDEX funding_listed_walk ON funding_listed (year, status, org_path);
CREATE TABLE funding_built (
    year        BIGINT NOT NULL PRIMARY KEY,
    standards   TEXT NOT NULL,
    built_at    TEXT NOT NULL
);

-- 活动场所 counted per org: each venue's meetings by quarter of a year and the first
-- quarter it would be 铁将军把门 (`venue_year`, a row per venue for a built year, walked
-- in the list's order), and each org's subtree of a year — its venues and how many
-- would be idle from each quarter (`venue_tally`). `venue_built`: the years built whole.
CREATE TABLE venue_year (
    venue_id    BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    held1       BIGINT NOT NULL,
    held2       BIGINT NOT NULL,
    held3       BIGINT NOT NULL,
    held4       BIGINT NOT NULL,
    first_idle  BIGINT,
    PRIMARY KEY (venue_id, year)
);
CREATE INDEX venue_year_walk ON venue_year (year, org_path, name, venue_id);
CREATE INDEX venue_year_org ON venue_year (year, org_id);
CREATE TABLE venue_tally (
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    tally       TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE TABLE venue_built (
    year        BIGINT NOT NULL PRIMARY KEY,
    built_at    TEXT NOT NULL
);
-- The venue list's order (owner's path, name, id) as an index, so its first page is a
-- walk and not a sort of every venue of the range.
DROP INDEX venue_path;
CREATE INDEX venue_list ON venue (org_path, name, id);
