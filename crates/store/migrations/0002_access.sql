-- Access: users with roles and an org (their scope), sessions, and the audit log.
-- Times are UTC text (YYYY-MM-DDTHH:MM:SSZ); booleans are 0/1; user ids come from id_alloc.
CREATE TABLE app_user (
    id            BIGINT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,        -- argon2id, PHC string
    role          TEXT NOT NULL,        -- admin, department, committee, secretary, inspector, member, auditor
    org_id        BIGINT,              -- the org whose subtree the user sees; none: nothing (admin: all)
    member_id     BIGINT,
    display_name  TEXT,
    disabled      BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  TEXT,
    last_login_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX app_user_org ON app_user (org_id);

-- A session is found by the SHA-256 of its token; the token itself is never stored.
CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- The audit log: append-only, each entry carrying the hash of the one before.
CREATE TABLE audit_event (
    seq       BIGINT PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    code      BIGINT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    org_id    BIGINT,
    org_path  TEXT COLLATE "C",
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_event_path ON audit_event (org_path, seq);

-- The head of the chain: one row, updated by every append. Updating it first serializes
-- writers of the log (a row lock), and it lets `verify` notice entries cut from the end.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Small named settings; `key_fingerprint` tells whether the key in use is the one the
-- ID numbers were encrypted with.
CREATE TABLE app_setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
