-- A running server's lease on the database: one row per `jiceng serve` (or `demo`),
-- written at start, its beat refreshed every few seconds, removed at a clean shutdown.
-- Key rotation and restore refuse while a lease is fresh (a row left by a killed server
-- goes stale after three missed beats). beat_at is Unix seconds (UTC) of the holder's
-- clock; the other times are UTC text.
CREATE TABLE server_lease (
    holder     TEXT PRIMARY KEY,   -- random id of one server process
    pid        BIGINT NOT NULL,
    host       TEXT NOT NULL,
    bind       TEXT NOT NULL,      -- what it serves, e.g. "jiceng serve 127.0.0.1:8080"
    started_at TEXT NOT NULL,
    beat_at    BIGINT NOT NULL
);
