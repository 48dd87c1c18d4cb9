-- Files given with a record (issue #17): a task's outcome (one per target and item of the
-- task's form) and a duty record's report (述职报告). One per record, org and field,
-- replaced by a new upload; kept in the database as meeting attachments are (one backup
-- holds them) and read within the org's scope.
CREATE TABLE record_file (
    id           BIGINT PRIMARY KEY,
    record_kind  TEXT NOT NULL,
    record_id    BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    field        BIGINT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    UNIQUE (record_kind, record_id, org_id, field)
);
CREATE INDEX record_file_path ON record_file (org_path);
