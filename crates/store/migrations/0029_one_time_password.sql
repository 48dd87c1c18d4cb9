-- A password someone else set (a reset, an account opened by the department with a
-- one-time password) must be changed by its user at the next login (issue #16, point 6).
ALTER TABLE app_user ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
