-- Attachments of a meeting record (issue #16, point 2): a photo of the sign-in sheet, the
-- minutes as a file. Optional; size-limited by the app; kept in the database (one backup
-- holds them, a restore brings them back) and read within the meeting's scope.
CREATE TABLE meeting_attachment (
    id           BIGINT PRIMARY KEY,
    meeting_id   BIGINT NOT NULL,
    org_path     TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX meeting_attachment_meeting ON meeting_attachment (meeting_id);
CREATE INDEX meeting_attachment_path ON meeting_attachment (org_path);
