-- 站内提醒 sent down the tree (issue #16, point 1: the township's one-click 提醒): a notice
-- to a branch from the org above, kept in this server only (nothing is sent outside it).
-- The branch sees this month's notices among its reminders.
CREATE TABLE notice (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    from_org_id BIGINT NOT NULL,
    from_name   TEXT NOT NULL,
    text        TEXT NOT NULL,
    sent_on     TEXT NOT NULL,
    sent_by     TEXT NOT NULL,
    sent_at     TEXT NOT NULL
);
CREATE INDEX notice_path ON notice (org_path, sent_on);
CREATE INDEX notice_org ON notice (org_id, sent_on);
