-- 任务部署 and 减负 (SPEC C6, issue #17). A task an org issues to a filtered set of orgs of
-- its subtree: `form` is the JSON list of its fields (each asked of the targets or answered
-- by the system, "最多报一次"); `targets` and `done` are kept with each report, so the
-- completion of a task sent to a province's villages is one row. `parent_id`: the task a
-- target passed down a level (分解下达), the chain kept.
CREATE TABLE task (
    id         BIGINT PRIMARY KEY,
    org_id     BIGINT NOT NULL,
    org_path   TEXT COLLATE "C" NOT NULL,
    org_name   TEXT NOT NULL,
    parent_id  BIGINT,
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    form       TEXT NOT NULL,
    issued_on  TEXT NOT NULL,
    deadline   TEXT NOT NULL,
    targets    BIGINT NOT NULL,
    done       BIGINT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  TEXT NOT NULL
);
CREATE INDEX task_org ON task (org_id, issued_on);
CREATE INDEX task_path ON task (org_path, issued_on);
CREATE INDEX task_parent ON task (parent_id);

-- One org a task reaches: its own deadline (the task's, or an extension), its report —
-- progress, answers (JSON by field), evidence — and the day it was reported done.
CREATE TABLE task_target (
    task_id     BIGINT NOT NULL,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    deadline    TEXT NOT NULL,
    done_on     TEXT,
    progress    TEXT NOT NULL,
    answers     TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    reported_at TEXT,
    reported_by TEXT,
    passed_to   BIGINT,
    PRIMARY KEY (task_id, org_id)
);
CREATE INDEX task_target_path ON task_target (task_id, org_path);
CREATE INDEX task_target_org ON task_target (org_id, done_on);
CREATE INDEX task_target_scope ON task_target (org_path, deadline);

-- 减负台账: what reached each org in a month, by issuing org — the org's burden level
-- (村（社区）, 乡镇（街道）, other: kept on the row so a province's ledger reads no org rows) —
-- items (tasks, later
-- inspections and data requests), the questions asked, the questions the system answered
-- instead, and those asked although the system held the answer. Added to in the issuing
-- transaction; read by a path range for a month.
CREATE TABLE burden_month (
    org_id     BIGINT NOT NULL,
    org_path   TEXT COLLATE "C" NOT NULL,
    year_month TEXT NOT NULL,
    issuer_id  BIGINT NOT NULL,
    level      TEXT NOT NULL,
    items      BIGINT NOT NULL,
    questions  BIGINT NOT NULL,
    answered   BIGINT NOT NULL,
    asked_held BIGINT NOT NULL,
    PRIMARY KEY (org_id, year_month, issuer_id)
);
CREATE INDEX burden_month_path ON burden_month (year_month, org_path);
