-- Marks on the audit chain, each sealed with the audit key (which is not in the database):
-- 'keyed': entries from `seq` on carry keyed MACs, the first chaining onto `prev` (the last
--          unkeyed hash). Created here unsealed (`mac` empty); the first keyed entry seals it.
-- 'cut':   entries before `seq` were purged after their retention; the entry at `seq`
--          chains onto `prev`.
CREATE TABLE audit_mark (
    kind TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    prev TEXT NOT NULL,
    at   TEXT NOT NULL,
    mac  TEXT NOT NULL
);
INSERT INTO audit_mark (kind, seq, prev, at, mac)
    SELECT 'keyed', seq + 1, hash, '', '' FROM audit_head WHERE id = 1;
