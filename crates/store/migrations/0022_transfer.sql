-- 组织关系转接 (issue #15, point 1): a letter (介绍信) moves a member's relation from one org
-- to another. The sending org stays responsible until the letter is received; the receiving
-- org sees only what the letter says (`person`, JSON) until it accepts. `from_*` is NULL for
-- a letter from outside the system, `to_*` for one to outside (`outside` names which); both
-- paths are path columns (a subtree move rewrites them), so an inbox is a path range.
CREATE TABLE member_transfer (
    id            BIGINT PRIMARY KEY,
    member_id     BIGINT,
    letter_no     TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    from_org_id   BIGINT,
    from_path     TEXT COLLATE "C",
    from_name     TEXT NOT NULL,
    to_org_id     BIGINT,
    to_path       TEXT COLLATE "C",
    to_name       TEXT NOT NULL,
    outside       TEXT,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL,
    person        TEXT NOT NULL,
    decided_on    TEXT,
    decision_note TEXT,
    issued_by     TEXT NOT NULL,
    decided_by    TEXT,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX member_transfer_to ON member_transfer (to_path, state);
CREATE INDEX member_transfer_from ON member_transfer (from_path, state);
CREATE INDEX member_transfer_member ON member_transfer (member_id);
