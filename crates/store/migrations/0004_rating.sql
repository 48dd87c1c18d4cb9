-- Rating and weak organizations (SPEC C5): ratings per org and year, hand scores, stored
-- indicator sets, weakness diagnoses with their decisions, signals reported by hand,
-- minimal records of discipline cases and funding, and rectification cases with their
-- measures and timeline. Every table carries the org's path, so a subtree is read by a
-- literal path range (SCALE.md). Dates ISO text; booleans 0/1; money in fen (1/100 yuan).

-- A stored derived fact beside the member counts: the latest joining date of a current
-- member anywhere in the org's subtree (NULL: nobody, or not computed yet). Kept by
-- `facts::refresh` through `ratings::refresh_last_joined`; read for 弱 (no recruit).
ALTER TABLE org ADD COLUMN subtree_last_joined TEXT;

-- One rating per org and year. `computed_stars` is NULL when too little of the weight had
-- data; a hand adjustment (stars, who, why, when) overrides it and survives a re-rating.
CREATE TABLE rating (
    org_id           BIGINT NOT NULL,
    year             BIGINT NOT NULL,
    org_path         TEXT COLLATE "C" NOT NULL,
    set_id           TEXT NOT NULL,
    set_version      BIGINT NOT NULL,
    as_of            TEXT NOT NULL,
    computed_stars   BIGINT,
    score            DOUBLE PRECISION,
    weight_with_data DOUBLE PRECISION NOT NULL,
    -- JSON array: each indicator's code, name, weight, state, score and evidence
    indicators       TEXT NOT NULL,
    evidence         TEXT NOT NULL,
    adjusted_stars   BIGINT,
    adjusted_by      TEXT,
    adjusted_reason  TEXT,
    adjusted_at      TEXT,
    computed_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);
CREATE INDEX rating_path ON rating (year, org_path);

-- Hand scores of manual indicators.
CREATE TABLE rating_manual (
    org_id    BIGINT NOT NULL,
    year      BIGINT NOT NULL,
    code      TEXT NOT NULL,
    org_path  TEXT COLLATE "C" NOT NULL,
    score     DOUBLE PRECISION NOT NULL,
    reason    TEXT NOT NULL,
    scored_by TEXT NOT NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, code)
);
CREATE INDEX rating_manual_path ON rating_manual (year, org_path);

-- Indicator sets edited by the organization department (the shipped ones are embedded).
CREATE TABLE indicator_set (
    id             TEXT NOT NULL,
    version        BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    saved_by       TEXT NOT NULL,
    saved_at       TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- One row per org, year and weakness kind: suspected (from the signals of the last
-- rating), confirmed or dismissed (a decision with its reason and the signals it saw).
CREATE TABLE weakness (
    org_id       BIGINT NOT NULL,
    year         BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    status       TEXT NOT NULL,
    -- JSON array of {rule, evidence, source}
    signals      TEXT NOT NULL,
    diagnosed_on TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT,
    reason       TEXT,
    PRIMARY KEY (org_id, year, kind)
);
CREATE INDEX weakness_path ON weakness (year, org_path);

-- Signals reported by hand (乱 above all), with their source.
CREATE TABLE weakness_signal (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    evidence    TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX weakness_signal_path ON weakness_signal (year, org_path);

-- Discipline cases (贪): the minimal record — no names, the subject's role only.
CREATE TABLE discipline_case (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    decided_on  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    summary     TEXT NOT NULL,
    sanction    TEXT,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX discipline_case_path ON discipline_case (year, org_path);

-- Funding (穷): operating funding and a village's collective income per year.
CREATE TABLE funding (
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    amount_fen  BIGINT NOT NULL,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, kind)
);
CREATE INDEX funding_path ON funding (year, org_path);

-- Rectification cases (整顿), one per org and year.
CREATE TABLE rectification (
    id               BIGINT PRIMARY KEY,
    org_id           BIGINT NOT NULL,
    year             BIGINT NOT NULL,
    org_path         TEXT COLLATE "C" NOT NULL,
    stage            TEXT NOT NULL,
    -- JSON array of weakness kinds
    kinds            TEXT NOT NULL,
    opened_on        TEXT NOT NULL,
    cadre            TEXT,
    -- JSON array of department names
    departments      TEXT NOT NULL DEFAULT '[]',
    deadline         TEXT,
    extended_to      TEXT,
    extension_reason TEXT,
    accepted_on      TEXT,
    acceptance_note  TEXT,
    reviewed_on      TEXT,
    review_outcome   TEXT,
    review_note      TEXT,
    last_activity_on TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX rectification_key ON rectification (org_id, year);
CREATE INDEX rectification_path ON rectification (org_path);

CREATE TABLE rectification_measure (
    case_id  BIGINT NOT NULL,
    seq      BIGINT NOT NULL,
    org_path TEXT COLLATE "C" NOT NULL,
    text     TEXT NOT NULL,
    owner    TEXT NOT NULL,
    deadline TEXT NOT NULL,
    done_on  TEXT,
    note     TEXT,
    PRIMARY KEY (case_id, seq)
);
-- Overdue measures of a subtree: the literal path range, then open ones by deadline.
CREATE INDEX rectification_measure_path ON rectification_measure (org_path, deadline);

-- The timeline of each case: every step, progress reports with their evidence included.
CREATE TABLE rectification_event (
    id          BIGINT PRIMARY KEY,
    case_id     BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    on_day      TEXT NOT NULL,
    step        TEXT NOT NULL,
    stage_from  TEXT NOT NULL,
    stage_to    TEXT NOT NULL,
    summary     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX rectification_event_case ON rectification_event (case_id, id);
