-- The orgs whose ancestors' organizational-life summaries a meeting (or a move) has made
-- stale since the last refresh (issue #20 point 4): a meeting's transaction marks its
-- branch here (one row per branch, no row of any ancestor written, so writers never queue
-- on a province's row), and the server's frequent pass recomputes only these orgs'
-- chains (`reports::compliance::refresh_touched`), then forgets the marks it read. `stamp`
-- tells a mark made again while the pass ran, which is kept for the next pass.
CREATE TABLE life_touched (
    org_id   BIGINT PRIMARY KEY,
    org_path TEXT COLLATE "C" NOT NULL,
    stamp    TEXT NOT NULL
);
