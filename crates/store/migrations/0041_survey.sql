-- 群众满意度测评 (SPEC C8, issue #18): a survey of one org (org_id, org_path: read within a
-- scope by a path range) for a year or half-year, with the questionnaire it asks copied in
-- (JSON, so that a later edition of the rules never changes it); open until closed.
-- Tokens are issued in numbered batches; only a hash of each token is kept, and whether it
-- was used (no day, no address). A response holds its ratings (the scores in question
-- order), the counts the rates read, the optional comment and the day only: no token, no
-- address, no user agent, no time of day.
CREATE TABLE survey (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    org_name    TEXT NOT NULL,
    period      TEXT NOT NULL,
    year        BIGINT NOT NULL,
    template    TEXT NOT NULL,
    questions   TEXT NOT NULL,
    opened_on   TEXT NOT NULL,
    closed_on   TEXT,
    opened_by   TEXT NOT NULL,
    opened_at   TEXT NOT NULL
);
CREATE INDEX survey_path ON survey (org_path, year);

CREATE TABLE survey_batch (
    survey_id   BIGINT NOT NULL,
    batch       BIGINT NOT NULL,
    tokens      BIGINT NOT NULL,
    issued_on   TEXT NOT NULL,
    issued_by   TEXT NOT NULL,
    PRIMARY KEY (survey_id, batch)
);

CREATE TABLE survey_token (
    hash        TEXT PRIMARY KEY,
    survey_id   BIGINT NOT NULL,
    batch       BIGINT NOT NULL,
    used        BIGINT NOT NULL
);
CREATE INDEX survey_token_batch ON survey_token (survey_id, batch);

CREATE TABLE survey_response (
    id          BIGINT PRIMARY KEY,
    survey_id   BIGINT NOT NULL,
    answered_on TEXT NOT NULL,
    scores      TEXT NOT NULL,
    rated       BIGINT NOT NULL,
    satisfied   BIGINT NOT NULL,
    comment     TEXT
);
CREATE INDEX survey_response_survey ON survey_response (survey_id);
