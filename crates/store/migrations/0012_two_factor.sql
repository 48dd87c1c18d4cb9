-- Two factors (TOTP, RFC 6238) for privileged accounts, their recovery codes, and the
-- short-lived second step of a login. Times are UTC text; booleans 0/1.

-- The shared secret is stored encrypted with the data key (AES-GCM, base64), never in
-- clear. An enrolment waits unconfirmed until the user enters a first code. last_step is
-- the last time step whose code was accepted: a code is never accepted twice.
CREATE TABLE user_totp (
    user_id      BIGINT PRIMARY KEY,
    secret       TEXT NOT NULL,
    confirmed    BIGINT NOT NULL DEFAULT 0,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT
);

-- Single-use recovery codes, only their SHA-256 (salted with the user id) stored.
CREATE TABLE user_recovery_code (
    user_id   BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right and whose second factor is awaited: found by the
-- SHA-256 of its token (the token itself is never stored).
CREATE TABLE login_pending (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX login_pending_user ON login_pending (user_id);
