-- 党员出口 (issue #15, point 3): how a member left — the kind, the day, the deciding org and
-- its document. The member's row is kept (its `exited_on` ends every count from that day);
-- this row says why. One exit per member.
CREATE TABLE member_exit (
    member_id    BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL,
    exited_on    TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    document     TEXT,
    note         TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
