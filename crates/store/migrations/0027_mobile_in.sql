-- 流入党员 (issue #15, point 2): a party member whose membership (组织关系) is elsewhere and
-- who takes part in the organizational life of a branch here, without voting rights there
-- (SPEC R). The host branch registers them: who (the ID number stored as members' are:
-- hashed, encrypted, masked), where their membership is (`home_org`; `member_id` when that
-- org is in the system too, found by the ID number), since when and until when, a phone,
-- the 流动党员活动证 number. They are not the host's members: no count, rate or quorum of the
-- host includes them.
CREATE TABLE mobile_in (
    id             BIGINT PRIMARY KEY,
    org_id         BIGINT NOT NULL,
    org_path       TEXT COLLATE "C" NOT NULL,
    member_id      BIGINT,
    name           TEXT NOT NULL,
    id_hash        TEXT NOT NULL,
    id_cipher      TEXT NOT NULL,
    id_masked      TEXT NOT NULL,
    home_org       TEXT NOT NULL,
    since          TEXT NOT NULL,
    until          TEXT,
    contact_cipher TEXT,
    contact_masked TEXT,
    certificate_no TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX mobile_in_path ON mobile_in (org_path);
CREATE INDEX mobile_in_member ON mobile_in (member_id);

-- Which 流入党员 took part in a meeting of their host branch (列席: no vote, not in 应到 or
-- 实到). A linked member's attendance here is organizational life for their home branch
-- too (the 自行脱党 judgement reads it).
CREATE TABLE meeting_guest (
    meeting_id BIGINT NOT NULL,
    guest_id   BIGINT NOT NULL,
    member_id  BIGINT,
    PRIMARY KEY (meeting_id, guest_id)
);
CREATE INDEX meeting_guest_member ON meeting_guest (member_id);
