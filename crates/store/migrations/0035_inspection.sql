-- 督查 (SPEC C6, issue #17): an inspection of an org (its path: read within a scope by a
-- path range), by the inspecting org, optionally about a task; the problems found, each
-- with its owner and deadline and, once fixed, the day and what was done.
CREATE TABLE inspection (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    by_org_id   BIGINT NOT NULL,
    by_org_name TEXT NOT NULL,
    task_id     BIGINT,
    held_on     TEXT NOT NULL,
    inspectors  TEXT NOT NULL,
    methods     TEXT NOT NULL,
    findings    TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX inspection_path ON inspection (org_path, held_on);
CREATE INDEX inspection_task ON inspection (task_id);

CREATE TABLE inspection_problem (
    inspection_id BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    org_path      TEXT COLLATE "C" NOT NULL,
    description   TEXT NOT NULL,
    owner         TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    fixed_on      TEXT,
    fix_note      TEXT,
    fixed_by      TEXT,
    PRIMARY KEY (inspection_id, seq)
);
CREATE INDEX inspection_problem_path ON inspection_problem (org_path, fixed_on);
