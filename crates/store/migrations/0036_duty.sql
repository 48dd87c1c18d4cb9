-- 述职评议考核, 述职述廉 and 离任审计 (SPEC C6, issue #17): a record of an org (its path:
-- read within a scope by a path range) by the recording org — the person, the year, the
-- meeting or the auditor, the report or findings, the evaluators' grades counted and the
-- grade the rule set gave; the problems named, each owned and due, and once fixed the day
-- and what was done.
CREATE TABLE duty_record (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    by_org_id    BIGINT NOT NULL,
    by_org_name  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    person       TEXT NOT NULL,
    position     TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    meeting      TEXT NOT NULL,
    period_from  TEXT,
    period_to    TEXT,
    report       TEXT NOT NULL,
    good         BIGINT NOT NULL,
    fairly_good  BIGINT NOT NULL,
    average      BIGINT NOT NULL,
    poor         BIGINT NOT NULL,
    grade        TEXT,
    score        DOUBLE PRECISION,
    rules_id     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX duty_record_path ON duty_record (org_path, year);

CREATE TABLE duty_problem (
    record_id   BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    owner       TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    fixed_on    TEXT,
    fix_note    TEXT,
    fixed_by    TEXT,
    PRIMARY KEY (record_id, seq)
);
CREATE INDEX duty_problem_path ON duty_problem (org_path, fixed_on);
