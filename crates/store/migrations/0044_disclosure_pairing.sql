-- 党务公开 and 结对共建 (SPEC C8, issue #18). 0042 and 0043 are taken by funding and venues.
-- An org's public key: the unguessable part of its public page's address (/p/{key}), made
-- when the org first publishes; never its id or code.
CREATE TABLE disclosure_key (
    org_id      BIGINT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX disclosure_key_key ON disclosure_key (public_key);

-- An item an org published, to its members or to the public: free (title, body, day) or a
-- figure computed from the org's records and frozen here with the day it was computed
-- (figure, figure_of: the year or the survey). Withdrawn: on no page any more.
CREATE TABLE disclosure_item (
    id            BIGINT PRIMARY KEY,
    org_id        BIGINT NOT NULL,
    org_path      TEXT COLLATE "C" NOT NULL,
    audience      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    figure        TEXT,
    figure_of     TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    day           TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    withdrawn_by  TEXT,
    withdrawn_at  TEXT
);
CREATE INDEX disclosure_item_org ON disclosure_item (org_id, withdrawn_at, day);
CREATE INDEX disclosure_item_path ON disclosure_item (org_path);

-- 结对共建: the supported grassroots org (org_id, org_path) and its supporter, an org of
-- the tree (partner_org_id, partner_path) or a body outside it (partner_name), the form,
-- what the support is, since when and until when.
CREATE TABLE pairing (
    id              BIGINT PRIMARY KEY,
    org_id          BIGINT NOT NULL,
    org_path        TEXT COLLATE "C" NOT NULL,
    partner_org_id  BIGINT,
    partner_path    TEXT COLLATE "C",
    partner_name    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    content         TEXT NOT NULL,
    since           TEXT NOT NULL,
    until           TEXT,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX pairing_path ON pairing (org_path, since);
CREATE INDEX pairing_partner ON pairing (partner_path);
