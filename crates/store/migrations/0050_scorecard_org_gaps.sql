-- Two figures of the build read at a province without walking its orgs.
-- The weakest link of a big region (issue #19 point 6): its orgs' gaps per measure (the
-- weighted median, the target, the orgs ranked below it and the what-if, as JSON),
-- computed once a build for a region with many leaf orgs, so a card at a province's
-- root reads one row instead of the scores of every leaf org below it. NULL for the
-- other orgs: their card reads their few leaf orgs' scores. The periods built before
-- are marked stale (no fingerprint matches ''): their next read builds them with it.
ALTER TABLE scorecard_org ADD COLUMN org_gaps TEXT;
-- The subtree's weak orgs of the period's year as the build diagnosed them (orgs
-- diagnosed, weak, and per kind suspected / confirmed / dismissed, as JSON), so a large
-- region's analysis report reads them instead of diagnosing every org (NULL: none).
ALTER TABLE scorecard_org ADD COLUMN weak TEXT;
UPDATE scorecard_built SET rules_fingerprint = '';
