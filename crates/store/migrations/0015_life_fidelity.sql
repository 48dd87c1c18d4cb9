-- Organizational life read faithfully (issue 12; rules review errors 1, 5, 7, 15, S24):
-- a meeting serves several obligations (kinds), names the year it is for (所属年度),
-- is flagged as an election (its quorum is 4/5), and 群众参与人数 not recorded is NULL,
-- not 0.
ALTER TABLE meeting ALTER COLUMN masses_present DROP NOT NULL;
ALTER TABLE meeting ALTER COLUMN masses_present DROP DEFAULT;
-- every kind it served, codes joined by ',' in GLOSSARY order (kind first)
ALTER TABLE meeting ADD COLUMN kinds TEXT NOT NULL DEFAULT '';
UPDATE meeting SET kinds = kind;
-- 所属年度; NULL: its date's year
ALTER TABLE meeting ADD COLUMN for_year BIGINT;
-- a 换届选举
ALTER TABLE meeting ADD COLUMN election BIGINT NOT NULL DEFAULT 0;

-- The monthly facts: yearly kinds held in the month for the year before, by kind code
-- (JSON object), so the 2025年度 组织生活会 held in January 2026 is credited to 2025.
ALTER TABLE compliance_month ADD COLUMN prior_year TEXT NOT NULL DEFAULT '{}';
-- Meetings of the month whose 群众参与人数 was recorded.
ALTER TABLE compliance_month ADD COLUMN masses_recorded BIGINT NOT NULL DEFAULT 0;
UPDATE compliance_month SET masses_recorded = meetings;
-- The summaries count closed spans only: the last day they judged (NULL: none closed).
ALTER TABLE compliance_summary ADD COLUMN judged_through TEXT;
