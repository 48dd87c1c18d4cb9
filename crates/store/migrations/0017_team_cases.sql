-- 贪 (rules review, error 14): a discipline case marks the organization only when it is
-- against the team (书记, 班子成员, 村干部). Cases recorded before this flag are taken as
-- not against the team: the subject's role was free text, and a member's own case is the
-- common one; the department marks team cases again where it knows them.
ALTER TABLE discipline_case ADD COLUMN team BIGINT NOT NULL DEFAULT 0;
