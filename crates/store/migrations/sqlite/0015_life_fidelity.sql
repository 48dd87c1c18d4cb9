-- Organizational life read faithfully (issue 12; rules review errors 1, 5, 7, 15, S24):
-- a meeting serves several obligations (kinds), names the year it is for (所属年度),
-- is flagged as an election (its quorum is 4/5), and 群众参与人数 not recorded is NULL,
-- not 0. SQLite cannot drop a NOT NULL, so the table is rebuilt with the same indexes.
CREATE TABLE meeting_new (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL,
    org_path        TEXT NOT NULL,
    branch_id       INTEGER NOT NULL,
    -- the first of its kinds (part of the key); `kinds` lists them all
    kind            TEXT NOT NULL,
    held_on         TEXT NOT NULL,
    topic           TEXT NOT NULL,
    venue           TEXT,
    host            TEXT,
    expected        INTEGER NOT NULL,
    present         INTEGER NOT NULL,
    excused         INTEGER NOT NULL,
    full_expected   INTEGER,
    full_present    INTEGER,
    -- NULL: not recorded (a ledger without the column), not 0
    masses_present  INTEGER,
    central_task    INTEGER NOT NULL DEFAULT 0,
    members_needs   INTEGER NOT NULL DEFAULT 0,
    votes           INTEGER NOT NULL DEFAULT 0,
    quorum_ok       INTEGER,
    minutes         TEXT,
    decisions       TEXT,
    excused_reasons TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- every kind it served, codes joined by ',' in GLOSSARY order (kind first)
    kinds           TEXT NOT NULL DEFAULT '',
    -- 所属年度; NULL: its date's year
    for_year        INTEGER,
    -- a 换届选举
    election        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO meeting_new (id, org_id, org_path, branch_id, kind, held_on, topic, venue, host,
    expected, present, excused, full_expected, full_present, masses_present, central_task,
    members_needs, votes, quorum_ok, minutes, decisions, excused_reasons, created_by,
    created_at, kinds, for_year, election)
    SELECT id, org_id, org_path, branch_id, kind, held_on, topic, venue, host,
    expected, present, excused, full_expected, full_present, masses_present, central_task,
    members_needs, votes, quorum_ok, minutes, decisions, excused_reasons, created_by,
    created_at, kind, NULL, 0 FROM meeting;
DROP TABLE meeting;
ALTER TABLE meeting_new RENAME TO meeting;
CREATE UNIQUE INDEX meeting_key ON meeting (org_id, kind, held_on, topic);
CREATE INDEX meeting_branch ON meeting (branch_id, held_on);
CREATE INDEX meeting_path ON meeting (org_path, held_on);

-- The monthly facts: yearly kinds held in the month for the year before, by kind code
-- (JSON object), so the 2025年度 组织生活会 held in January 2026 is credited to 2025.
ALTER TABLE compliance_month ADD COLUMN prior_year TEXT NOT NULL DEFAULT '{}';
-- Meetings of the month whose 群众参与人数 was recorded.
ALTER TABLE compliance_month ADD COLUMN masses_recorded INTEGER NOT NULL DEFAULT 0;
UPDATE compliance_month SET masses_recorded = meetings;
-- The summaries count closed spans only: the last day they judged (NULL: none closed).
ALTER TABLE compliance_summary ADD COLUMN judged_through TEXT;
