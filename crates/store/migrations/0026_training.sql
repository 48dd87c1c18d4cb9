-- 党员教育培训学时 and party-building staff (issue #15, point 5). A training is recorded by
-- an org (its path a path column): title, organiser, dates within one calendar year (its
-- `year`), hours in tenths (3.5 学时 = 35), online or in person. Its attendees are members
-- with the hours credited to each (`training_attendance`; the training's hours unless the
-- sign-in list says otherwise). Each org's subtree tally per year (members, done, not yet
-- done, leading members short, branch secretaries without hours, hours summed; JSON of
-- `jiceng_domain::training::Tally`) is recomputed in the transaction of every write below
-- it, so an overview at a province reads one row per org it lists.
CREATE TABLE training (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    year        BIGINT NOT NULL,
    title       TEXT NOT NULL,
    organiser   TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    hours       BIGINT NOT NULL,
    mode        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX training_path ON training (org_path, year);
CREATE UNIQUE INDEX training_key ON training (org_id, starts_on, title);

CREATE TABLE training_attendance (
    training_id BIGINT NOT NULL,
    member_id   BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    hours       BIGINT NOT NULL,
    PRIMARY KEY (training_id, member_id)
);
CREATE INDEX training_attendance_member ON training_attendance (member_id, year);

CREATE TABLE training_tally (
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    tally       TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- 组织员, 党建指导员 and the other party-building staff roles of an org (SPEC C3): who,
-- which role, from when and until when (NULL: still in post).
CREATE TABLE org_staff (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    member_id   BIGINT,
    role        TEXT NOT NULL,
    since       TEXT NOT NULL,
    until       TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX org_staff_path ON org_staff (org_path);
