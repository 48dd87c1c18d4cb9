-- 群众诉求 / 我为群众办实事 (SPEC C8, issue #18): a request received by an org (by_org_*)
-- and assigned to an org of its subtree (org_id, org_path: read within a scope by a path
-- range) and a person; the requester's name and phone are optional, stored encrypted like
-- ID numbers with a masked copy; resolved with the result, the requester's feedback and
-- the days it took (kept, so that a subtree's average is one SUM). Progress notes in order.
CREATE TABLE mass_request (
    id               BIGINT PRIMARY KEY,
    org_id           BIGINT NOT NULL,
    org_path         TEXT COLLATE "C" NOT NULL,
    by_org_id        BIGINT NOT NULL,
    by_org_name      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    category         TEXT NOT NULL,
    content          TEXT NOT NULL,
    handler          TEXT NOT NULL,
    name_cipher      TEXT,
    name_masked      TEXT,
    phone_cipher     TEXT,
    phone_masked     TEXT,
    resolved_on      TEXT,
    result           TEXT,
    feedback         TEXT,
    resolve_days     BIGINT,
    resolved_by      TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX mass_request_path ON mass_request (org_path, received_on);
CREATE INDEX mass_request_open ON mass_request (org_path, resolved_on);

CREATE TABLE mass_request_progress (
    request_id  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    noted_on    TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);
