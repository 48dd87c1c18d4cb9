-- 党费 (issue #15, point 4). `dues_base`: a member's base from a month on (在职 pay or
-- pension in 分, a farmer's amount; the category), with the monthly amount the bracket
-- table of the rules in force gave then; a revision mid-year is a later row. `dues_payment`:
-- one row per member and month paid (the org it was paid to, kept when the member moves).
-- `dues_month`: each org's stored monthly facts, its own members (`members`: with a base;
-- `due_fen`; `paid_members`, `paid_fen`; `flagged`: six months unpaid before the month)
-- and its subtree's (`sub_*`), refreshed with the org and its ancestors in the transaction
-- of every write below it, so a province's 收缴统计 reads one row per org it lists; an org
-- without a row has nothing due or paid in its subtree that month. `dues_handover`: what an
-- org passed up (上缴) for a month. `dues_flag`: the members each month's refresh found with
-- the rule's months unpaid in a row before it (with their org's path, so a province's list is
-- a path range read to its first rows).
CREATE TABLE dues_base (
    id          BIGINT PRIMARY KEY,
    member_id   BIGINT NOT NULL,
    from_month  TEXT NOT NULL,
    category    TEXT NOT NULL,
    base_fen    BIGINT,
    monthly_fen BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dues_base_member ON dues_base (member_id, from_month);

CREATE TABLE dues_payment (
    member_id   BIGINT NOT NULL,
    month       TEXT NOT NULL,
    org_id      BIGINT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    paid_on     TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (member_id, month)
);
CREATE INDEX dues_payment_month ON dues_payment (month, org_id);

CREATE TABLE dues_month (
    org_id           BIGINT NOT NULL,
    month            TEXT NOT NULL,
    members          BIGINT NOT NULL,
    due_fen          BIGINT NOT NULL,
    paid_members     BIGINT NOT NULL,
    paid_fen         BIGINT NOT NULL,
    flagged          BIGINT NOT NULL,
    sub_members      BIGINT NOT NULL,
    sub_due_fen      BIGINT NOT NULL,
    sub_paid_members BIGINT NOT NULL,
    sub_paid_fen     BIGINT NOT NULL,
    sub_flagged      BIGINT NOT NULL,
    PRIMARY KEY (org_id, month)
);

CREATE TABLE dues_handover (
    org_id      BIGINT NOT NULL,
    month       TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL,
    handed_on   TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (org_id, month)
);

CREATE TABLE dues_flag (
    member_id BIGINT NOT NULL,
    month     TEXT NOT NULL,
    org_id    BIGINT NOT NULL,
    org_path  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (member_id, month)
);
CREATE INDEX dues_flag_path ON dues_flag (month, org_path);
