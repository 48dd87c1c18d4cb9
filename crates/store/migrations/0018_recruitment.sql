-- 发展党员 (issue #14): a person applying, the steps recorded for them, and the annual
-- plans. The ID number is stored as members' are: keyed hash, ciphertext, masked.
-- `stage` … `violations` are derived from the steps by the app on every write (judged on
-- the day written), so a board or an overview reads rows, never judges them again.
CREATE TABLE applicant (
    id            BIGINT PRIMARY KEY,
    org_id        BIGINT NOT NULL,              -- the branch that received the application
    org_path      TEXT COLLATE "C" NOT NULL,
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL,
    ethnicity     TEXT NOT NULL,
    birth_date    TEXT NOT NULL,
    id_hash       TEXT NOT NULL UNIQUE,
    id_cipher     TEXT NOT NULL,
    id_masked     TEXT NOT NULL,
    education     TEXT,
    occupation    TEXT,
    front_line    BIGINT NOT NULL DEFAULT 0,    -- 生产、工作一线
    phone_cipher  TEXT,
    phone_masked  TEXT,
    stage         TEXT NOT NULL,                -- RecruitStage key, or withdrawn / cancelled
    next_step     BIGINT,                       -- StepKind number
    next_deadline TEXT,
    next_not_before TEXT,
    violations    BIGINT NOT NULL DEFAULT 0,
    applied_on    TEXT,
    admitted_on   TEXT,                         -- ⑰
    confirmed_on  TEXT,                         -- ㉔
    member_id     BIGINT,                       -- the roster row made at ⑰
    updated_at    TEXT NOT NULL
);
CREATE INDEX applicant_path ON applicant (org_path);

CREATE TABLE recruitment_step (
    id           BIGINT PRIMARY KEY,
    applicant_id BIGINT NOT NULL,
    step         BIGINT NOT NULL,               -- 1..25, events 101..104
    on_date      TEXT NOT NULL,
    detail       TEXT NOT NULL,                 -- JSON: people, sponsors, vote, notice, training …
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX recruitment_step_applicant ON recruitment_step (applicant_id, on_date);

CREATE TABLE recruitment_plan (
    org_id     BIGINT NOT NULL,
    year       BIGINT NOT NULL,
    org_path   TEXT COLLATE "C" NOT NULL,
    target     BIGINT NOT NULL,
    structure  TEXT NOT NULL,                   -- JSON: {"under_35": n, "women": n, …}
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE INDEX recruitment_plan_path ON recruitment_plan (org_path, year);
