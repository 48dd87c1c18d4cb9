-- 活动场所 (SPEC C7, issue #18 point 2): an org's venue (org_id, org_path: read within a
-- scope by a path range), its facilities (codes joined by commas), what it is shared with,
-- the day it came into use and the day it was retired; the orgs that use it
-- (venue_user, each an org of the owner's subtree). A meeting may name its venue
-- (meeting.venue_id; the free-text meeting.venue stays): the quarters without a meeting
-- there (铁将军把门) are read from the meetings of a subtree in one grouped read.
-- 村（社区）书记报酬: one yearly record per org (whole 元 and the source).
CREATE TABLE venue (
    id           BIGINT PRIMARY KEY,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL,
    area         BIGINT,
    facilities   TEXT NOT NULL DEFAULT '',
    shared_with  TEXT,
    opened_on    TEXT NOT NULL,
    retired_on   TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX venue_path ON venue (org_path);

CREATE TABLE venue_user (
    venue_id  BIGINT NOT NULL,
    org_id    BIGINT NOT NULL,
    org_path  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (venue_id, org_id)
);
CREATE INDEX venue_user_org ON venue_user (org_id);

ALTER TABLE meeting ADD COLUMN venue_id BIGINT;
CREATE INDEX meeting_venue ON meeting (venue_id, held_on);
-- The meetings that name a venue, by path: a subtree's quarters in one range read.
CREATE INDEX meeting_venue_path ON meeting (org_path, held_on, venue_id) WHERE venue_id IS NOT NULL;

CREATE TABLE secretary_pay (
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    year         BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    source       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE INDEX secretary_pay_path ON secretary_pay (year, org_path);
