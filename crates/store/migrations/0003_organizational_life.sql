-- Organizational life (SPEC C4): meetings, who attended, and the stored monthly facts
-- compliance is derived from. Dates ISO text; booleans 0/1; ids from the application.
CREATE TABLE meeting (
    id              BIGINT PRIMARY KEY,
    -- the branch, or the group for a group meeting
    org_id          BIGINT NOT NULL,
    org_path        TEXT COLLATE "C" NOT NULL,
    -- the branch the meeting counts for (a group's branch for a group meeting)
    branch_id       BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    held_on         TEXT NOT NULL,
    topic           TEXT NOT NULL,
    venue           TEXT,
    host            TEXT,
    expected        BIGINT NOT NULL,
    present         BIGINT NOT NULL,
    excused         BIGINT NOT NULL,
    full_expected   BIGINT,
    full_present    BIGINT,
    masses_present  BIGINT NOT NULL DEFAULT 0,
    central_task    BIGINT NOT NULL DEFAULT 0,
    members_needs   BIGINT NOT NULL DEFAULT 0,
    votes           BIGINT NOT NULL DEFAULT 0,
    -- 1/0 for a general meeting that voted; NULL when no quorum applies
    quorum_ok       BIGINT,
    minutes         TEXT,
    decisions       TEXT,
    -- JSON array of the reasons for absence, as written
    excused_reasons TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
-- The same meeting is recorded once (and a ledger imported twice adds nothing).
CREATE UNIQUE INDEX meeting_key ON meeting (org_id, kind, held_on, topic);
-- Recounting one branch's month; listing a branch's meetings by date.
CREATE INDEX meeting_branch ON meeting (branch_id, held_on);
-- Scoped lists (a subtree's meetings) by literal path range.
CREATE INDEX meeting_path ON meeting (org_path, held_on);

CREATE TABLE meeting_attendee (
    meeting_id BIGINT NOT NULL,
    member_id  BIGINT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT,
    is_full    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendee_member ON meeting_attendee (member_id);

-- Stored derived facts: one row per branch and month in which the branch or its groups
-- held anything, rewritten in the transaction that records a meeting. Compliance of any
-- subtree and period is judged from these rows, never from the meetings themselves.
CREATE TABLE compliance_month (
    branch_id              BIGINT NOT NULL,
    branch_path            TEXT COLLATE "C" NOT NULL,
    year_month             TEXT NOT NULL,
    general_meetings       BIGINT NOT NULL DEFAULT 0,
    committee_meetings     BIGINT NOT NULL DEFAULT 0,
    group_meetings         BIGINT NOT NULL DEFAULT 0,
    party_lectures         BIGINT NOT NULL DEFAULT 0,
    theme_days             BIGINT NOT NULL DEFAULT 0,
    life_meetings          BIGINT NOT NULL DEFAULT 0,
    democratic_evaluations BIGINT NOT NULL DEFAULT 0,
    -- group meetings by group id, JSON object {"id": count}
    group_counts           TEXT NOT NULL DEFAULT '{}',
    meetings               BIGINT NOT NULL DEFAULT 0,
    expected               BIGINT NOT NULL DEFAULT 0,
    present                BIGINT NOT NULL DEFAULT 0,
    masses_present         BIGINT NOT NULL DEFAULT 0,
    votes                  BIGINT NOT NULL DEFAULT 0,
    quorum_failed          BIGINT NOT NULL DEFAULT 0,
    updated_at             TEXT NOT NULL,
    PRIMARY KEY (branch_id, year_month)
);
-- A period's report reads one month at a time: equality on the month, then the literal
-- path range of the subtree.
CREATE INDEX compliance_month_path ON compliance_month (year_month, branch_path);
