-- The shard of a row: the top subtree its org lies in (`path::shard`: the base-36 id of
-- the org just below the root, a province in a national tree; the root's own id for the
-- root's rows). On a Citus cluster the meetings, who attended them and the stored monthly
-- facts are distributed by it, so a province's rows sit together on one node and a
-- province's, city's, county's or township's question is answered there
-- (`store/src/citus.rs`, docs/DEPLOYMENT.md). Elsewhere it is one more column, written
-- with the row and rewritten by a move between top subtrees.
ALTER TABLE meeting ADD COLUMN shard TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE meeting SET shard = CASE WHEN split_part(org_path, '/', 3) = ''
    THEN split_part(org_path, '/', 2) ELSE split_part(org_path, '/', 3) END;
ALTER TABLE meeting ALTER COLUMN shard DROP DEFAULT;

ALTER TABLE meeting_attendee ADD COLUMN shard TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE meeting_attendee SET shard =
    (SELECT m.shard FROM meeting m WHERE m.id = meeting_attendee.meeting_id);
ALTER TABLE meeting_attendee ALTER COLUMN shard DROP DEFAULT;

ALTER TABLE compliance_month ADD COLUMN shard TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE compliance_month SET shard = CASE WHEN split_part(branch_path, '/', 3) = ''
    THEN split_part(branch_path, '/', 2) ELSE split_part(branch_path, '/', 3) END;
ALTER TABLE compliance_month ALTER COLUMN shard DROP DEFAULT;
