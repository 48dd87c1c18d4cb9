-- Referrals (issue #11): an imported row (or a form's org code) that collides with a record
-- outside the importer's scope is not written; it waits here, for the department of the
-- lowest org holding both places, to be settled (usually a transfer) or dismissed.
-- ID numbers only as the keyed hash and the ciphertext, inside `data` (JSON).
CREATE TABLE referral (
    id              BIGINT PRIMARY KEY,
    kind            TEXT NOT NULL,              -- member, org, unit
    status          TEXT NOT NULL,              -- pending, settled, dismissed
    created_at      TEXT NOT NULL,              -- UTC, ISO 8601
    created_by      TEXT NOT NULL,
    created_by_id   BIGINT NOT NULL,
    source          TEXT NOT NULL,              -- the file's name, or the form
    row_number      BIGINT,
    from_org_id     BIGINT,                     -- where the row would have gone
    existing_id     BIGINT NOT NULL,            -- the member, org or unit on record
    existing_org_id BIGINT NOT NULL,
    common_org_id   BIGINT,                     -- the lowest org holding both (none: different roots)
    common_path     TEXT COLLATE "C" NOT NULL,  -- its path when referred ('' without one)
    data            TEXT NOT NULL,
    settled_at      TEXT,
    settled_by      TEXT,
    reason          TEXT
);
CREATE INDEX referral_status ON referral (status, created_at);

-- The per-user rate of real imports and the window of out-of-scope matches are counted
-- from the log: one user's entries of one action since an instant.
CREATE INDEX audit_event_actor ON audit_event (actor_id, code, at);
