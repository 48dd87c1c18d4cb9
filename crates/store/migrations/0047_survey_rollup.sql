-- 群众满意度测评 counted as it is written (issue #18): each survey keeps its figures on its
-- row — tokens issued, responses, ratings given and of those satisfied — with `is_open`
-- (1 until closed) and `closed_share` (satisfied over ratings once closed with a rating,
-- else NULL), so that the lists are index walks with a LIMIT; and each org keeps the
-- figures of its subtree per period code (`2026`, `2026H1`, `2026H2`: a survey is of one,
-- a year's figures are the sum of its three) in `survey_tally`, moved by every write in
-- its transaction, so a report's totals at any org are one row read per code. The
-- figures of surveys stored before this migration are made when the app opens the
-- database (`survey_tally::rebuild`).
ALTER TABLE survey ADD COLUMN issued BIGINT NOT NULL DEFAULT 0;
ALTER TABLE survey ADD COLUMN responses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE survey ADD COLUMN ratings BIGINT NOT NULL DEFAULT 0;
ALTER TABLE survey ADD COLUMN satisfied BIGINT NOT NULL DEFAULT 0;
ALTER TABLE survey ADD COLUMN is_open BIGINT NOT NULL DEFAULT 1;
ALTER TABLE survey ADD COLUMN closed_share DOUBLE PRECISION;
-- The lists: all surveys (open first, the latest opened first), a year's, and a year's
-- closed ones by share (the lowest first).
CREATE INDEX survey_latest ON survey (is_open, opened_on, id);
CREATE INDEX survey_year_latest ON survey (year, is_open, opened_on, id);
CREATE INDEX survey_year_share ON survey (year, closed_share, id);

CREATE TABLE survey_tally (
    org_id      BIGINT NOT NULL,
    period      TEXT NOT NULL,
    year        BIGINT NOT NULL,
    surveys     BIGINT NOT NULL,
    still_open  BIGINT NOT NULL,
    issued      BIGINT NOT NULL,
    responses   BIGINT NOT NULL,
    ratings     BIGINT NOT NULL,
    satisfied   BIGINT NOT NULL,
    PRIMARY KEY (org_id, period)
);
