-- 发展党员 at a province's scale (issue #14, point 8): a province holds some 600 thousand
-- applicants and millions of steps, so its reports read the stored (derived) columns,
-- each question through a path-range index of its own — stage counts from the index
-- alone, the admissions of a year, the deadlines up to a day, the people with violations —
-- and judge the steps of the people listed only.
CREATE INDEX applicant_path_stage ON applicant (org_path, stage);
CREATE INDEX applicant_path_admitted ON applicant (org_path, admitted_on);
CREATE INDEX applicant_path_deadline ON applicant (org_path, next_deadline);
CREATE INDEX applicant_path_violations ON applicant (org_path, violations);
-- (org_path) alone is the first column of each of them.
DROP INDEX applicant_path;
