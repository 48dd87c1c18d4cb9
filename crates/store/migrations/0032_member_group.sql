-- The 党小组 a member belongs to (issue #16, point 2: a 党小组会's roster is its group).
-- A member stays a member of the branch (`org_id`); `group_id` names one of that branch's
-- groups, or is NULL (not assigned). A reader honours it only while the group is a live
-- 党小组 under the member's org, so a group dissolved, merged or moved, or a member
-- transferred, leaves no wrong roster behind.
ALTER TABLE member ADD COLUMN group_id BIGINT;
