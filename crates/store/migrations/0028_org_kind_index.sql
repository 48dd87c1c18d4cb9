-- The orgs of one kind and domain in a subtree (the township committees a staffing check
-- lists at a province: about 1,800 of 572 thousand orgs) read by an index, not by walking
-- the subtree's whole path range (issue #15, point 8: 117 ms at a province root before).
CREATE INDEX org_kind_domain_path ON org (kind, domain, path);
