-- 经费保障 (SPEC C7, issue #18): funding by org, year, kind and source, with a note. One
-- record per (org, year, kind, source): a township's 经费保障情况表 gives each org's amount
-- of each kind from each source for the year, so a correction or a second import of the
-- same register replaces the amount instead of counting it twice (tranches go in the
-- note). The kinds stored before (Operating, CollectiveIncome) keep their codes; the old
-- free-text source becomes one of the five sources, the text kept as the note when it
-- was none of them. Money in fen.
CREATE TABLE funding_v2 (
    org_id      BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    org_path    TEXT COLLATE "C" NOT NULL,
    amount_fen  BIGINT NOT NULL,
    note        TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, kind, source)
);
INSERT INTO funding_v2 (org_id, year, kind, source, org_path, amount_fen, note, recorded_by, recorded_at)
SELECT org_id, year, kind,
       CASE source WHEN '财政' THEN 'Finance' WHEN '党费' THEN 'Dues'
                   WHEN '集体经济' THEN 'Collective' WHEN '企业' THEN 'Enterprise'
                   ELSE 'Other' END,
       org_path, amount_fen,
       CASE WHEN source IN ('财政', '党费', '集体经济', '企业', '其他') THEN NULL ELSE source END,
       recorded_by, recorded_at
FROM funding;
DROP TABLE funding;
ALTER TABLE funding_v2 RENAME TO funding;
CREATE INDEX funding_path ON funding (year, org_path);
