-- Dated facts of an org (rules review, errors 2, 4, 6, 8 and 10): elections, the
-- committee set up or stated absent, approved postponements and recorded vacancies, each
-- with its day, so a past year is judged by that year's facts and a fact nobody recorded
-- stays unknown. Read by `store::history`, judged by `domain::history`.
CREATE TABLE org_event (
    id          BIGINT PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    kind        TEXT NOT NULL,      -- election, committee_set, committee_none, term_postponed, secretary_vacant
    on_date     TEXT,               -- NULL: known, day unknown (holds from the start of the records)
    until_date  TEXT,               -- term_postponed: the day the postponed term ends
    note        TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX org_event_org ON org_event (org_id);

-- 台账起始日: the first day the org's records cover; nothing before it is judged.
ALTER TABLE org ADD COLUMN records_from TEXT;
-- An approved term length (years) overriding the rule for the org's kind.
ALTER TABLE org ADD COLUMN term_years BIGINT;
-- Today's committee state, kept with org_event: 'yes', 'no', or NULL when nobody said.
-- has_committee defaulted to 0 when a roster had no 是否设立支委会 column, so a 0 there
-- is not a statement; only its 1s are carried over.
ALTER TABLE org ADD COLUMN committee TEXT;
UPDATE org SET committee = 'yes' WHERE has_committee = 1;
-- A 临时党支部 (a project or training branch whose members' formal relations stay at
-- home): not judged as a standing branch. Set from the kind label at import.
ALTER TABLE org ADD COLUMN temporary BIGINT NOT NULL DEFAULT 0;
UPDATE org SET temporary = 1 WHERE name LIKE '%临时党支部%' OR name LIKE '%临时支部%';

-- Backfill with negative ids (reserved ids are positive): every election on record, and
-- every committee on record with its day unknown.
INSERT INTO org_event (id, org_id, kind, on_date, until_date, note, recorded_at)
    SELECT -2 * id, id, 'election', last_election_on, NULL, NULL, updated_at
    FROM org WHERE last_election_on IS NOT NULL;
INSERT INTO org_event (id, org_id, kind, on_date, until_date, note, recorded_at)
    SELECT -2 * id - 1, id, 'committee_set', NULL, NULL, NULL, updated_at
    FROM org WHERE has_committee = 1;

-- 转入日期: the day a member's relation came in from elsewhere. A member who joined the
-- party before it was admitted elsewhere, so is not this org's recruit (review 3.2(f)).
ALTER TABLE member ADD COLUMN transferred_in_on TEXT;
