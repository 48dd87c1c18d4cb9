-- The nearest deadlines of a wide subtree (issue #14, point 8): a province's board lists the
-- 200 people whose next step is due soonest among half a million. Walking the deadlines in
-- order and keeping those of the subtree reads a few hundred index entries where the path
-- range reads them all (`store::recruitment::due_soonest`; a narrow subtree keeps the path
-- range).
CREATE INDEX applicant_deadline_path ON applicant (next_deadline, org_path);
