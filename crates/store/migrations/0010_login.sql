-- Login that holds: failed-login bookkeeping by name (known and unknown names alike, so
-- neither the answer nor the lockout tells whether an account exists), and when each
-- password was last set (renewal).
CREATE TABLE login_attempt (
    name_key        TEXT PRIMARY KEY,   -- the name as typed, trimmed (usernames are exact)
    failures        BIGINT NOT NULL DEFAULT 0,
    locked_until    TEXT,               -- UTC text; locked while in the future
    last_attempt_at TEXT NOT NULL
);
CREATE INDEX login_attempt_last ON login_attempt (last_attempt_at);

-- The old per-user counters move into login_attempt (their columns stay, unused).
INSERT INTO login_attempt (name_key, failures, locked_until, last_attempt_at)
SELECT username, failed_logins, locked_until, updated_at FROM app_user
WHERE failed_logins > 0 OR locked_until IS NOT NULL;

ALTER TABLE app_user ADD COLUMN password_changed_at TEXT;
UPDATE app_user SET password_changed_at = updated_at;
