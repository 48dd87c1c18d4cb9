-- 民主评议党员 (SPEC R; issue #16, the member's own record): each member's grade at a
-- democratic evaluation meeting. A corrected meeting takes its grades along; a voided one
-- drops them. `org_path` is the meeting's (read within a scope by path); `year` the year
-- the evaluation counts for (所属年度).
CREATE TABLE member_evaluation (
    meeting_id BIGINT NOT NULL,
    member_id  BIGINT NOT NULL,
    org_path   TEXT COLLATE "C" NOT NULL,
    year       BIGINT NOT NULL,
    grade      TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX member_evaluation_member ON member_evaluation (member_id);
CREATE INDEX member_evaluation_path ON member_evaluation (org_path);
