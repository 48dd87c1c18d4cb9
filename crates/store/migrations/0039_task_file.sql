-- A file given as a task's outcome (issue #17, point 1): one per target and field of the
-- task's form, replaced by a new upload; kept in the database as meeting attachments are
-- (one backup holds them) and read within the target's scope.
CREATE TABLE task_file (
    id           BIGINT PRIMARY KEY,
    task_id      BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    field        BIGINT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (task_id, org_id, field)
);
CREATE INDEX task_file_path ON task_file (org_path);
