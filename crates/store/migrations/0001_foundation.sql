-- The foundation: the org tree with stored facts, members, positions, units.
-- Dates are ISO text (YYYY-MM-DD); booleans are 0/1; ids are assigned by the application.
CREATE TABLE id_alloc (
    name    TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);

CREATE TABLE org (
    id               BIGINT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    domain           TEXT,
    region_code      TEXT,
    parent_id        BIGINT,
    path             TEXT COLLATE "C" NOT NULL,
    depth            BIGINT NOT NULL,
    founded_on       TEXT,
    last_election_on TEXT,
    has_committee    BIGINT NOT NULL DEFAULT 0,
    approving_org    TEXT,
    dissolved_on     TEXT,
    -- stored facts, derived from members, positions and units (refreshed on write)
    direct_members   BIGINT NOT NULL DEFAULT 0,
    direct_full      BIGINT NOT NULL DEFAULT 0,
    subtree_members  BIGINT NOT NULL DEFAULT 0,
    subtree_full     BIGINT NOT NULL DEFAULT 0,
    units_covered    BIGINT NOT NULL DEFAULT 0,
    has_secretary    BIGINT NOT NULL DEFAULT 0,
    secretary_vacant_since TEXT,
    facts_on         TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX org_path ON org (path);
CREATE INDEX org_parent_name ON org (parent_id, name);
CREATE INDEX org_name ON org (name);

-- Subtree statistics of each org as JSON (member structure, unit coverage).
CREATE TABLE org_stats (
    org_id       BIGINT PRIMARY KEY,
    member_stats TEXT NOT NULL,
    coverage     TEXT NOT NULL,
    facts_on     TEXT NOT NULL
);

CREATE TABLE org_history (
    id       BIGINT PRIMARY KEY,
    org_id   BIGINT NOT NULL,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    reason   TEXT,
    before   TEXT,
    after    TEXT
);
CREATE INDEX org_history_org ON org_history (org_id);

CREATE TABLE member (
    id           BIGINT PRIMARY KEY,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL,
    ethnicity    TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    id_hash      TEXT NOT NULL UNIQUE,
    id_cipher    TEXT NOT NULL,
    id_masked    TEXT NOT NULL,
    education    TEXT,
    status       TEXT NOT NULL,
    joined_on    TEXT NOT NULL,
    full_on      TEXT,
    occupation   TEXT,
    phone        TEXT,
    mobile       BIGINT NOT NULL DEFAULT 0,
    lost_contact BIGINT NOT NULL DEFAULT 0,
    exited_on    TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX member_org ON member (org_id);
CREATE INDEX member_path ON member (org_path);

CREATE TABLE position (
    id         BIGINT PRIMARY KEY,
    member_id  BIGINT NOT NULL,
    org_id     BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    started_on TEXT,
    ended_on   TEXT
);
CREATE INDEX position_org ON position (org_id);
CREATE INDEX position_member ON position (member_id);

CREATE TABLE unit (
    id           BIGINT PRIMARY KEY,
    name         TEXT NOT NULL,
    credit_code  TEXT UNIQUE,
    domain       TEXT NOT NULL,
    region_code  TEXT,
    status       TEXT NOT NULL,
    employees    BIGINT,
    full_members BIGINT NOT NULL DEFAULT 0,
    coverage     TEXT NOT NULL,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    instructor   TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX unit_org ON unit (org_id);
CREATE INDEX unit_path ON unit (org_path);
CREATE INDEX unit_name ON unit (name);
