-- SQLite's version of 0053 (see there): no split_part, and a default it cannot drop.
ALTER TABLE meeting ADD COLUMN shard TEXT NOT NULL DEFAULT '';
UPDATE meeting SET shard = CASE
    WHEN substr(substr(org_path, 2), instr(substr(org_path, 2), '/') + 1) = ''
    THEN substr(substr(org_path, 2), 1, instr(substr(org_path, 2), '/') - 1)
    ELSE substr(
        substr(substr(org_path, 2), instr(substr(org_path, 2), '/') + 1), 1,
        instr(substr(substr(org_path, 2), instr(substr(org_path, 2), '/') + 1), '/') - 1)
    END;

ALTER TABLE meeting_attendee ADD COLUMN shard TEXT NOT NULL DEFAULT '';
UPDATE meeting_attendee SET shard =
    (SELECT m.shard FROM meeting m WHERE m.id = meeting_attendee.meeting_id);

ALTER TABLE compliance_month ADD COLUMN shard TEXT NOT NULL DEFAULT '';
UPDATE compliance_month SET shard = CASE
    WHEN substr(substr(branch_path, 2), instr(substr(branch_path, 2), '/') + 1) = ''
    THEN substr(substr(branch_path, 2), 1, instr(substr(branch_path, 2), '/') - 1)
    ELSE substr(
        substr(substr(branch_path, 2), instr(substr(branch_path, 2), '/') + 1), 1,
        instr(substr(substr(branch_path, 2), instr(substr(branch_path, 2), '/') + 1), '/') - 1)
    END;
