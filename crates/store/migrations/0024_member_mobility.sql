-- 流动党员 and 失联党员 (issue #15, point 2): a member away from the branch (`away`: where,
-- a phone to reach them, the 流动党员活动证 number) or lost to contact (`lost`), from a day
-- until they are back or found (`until`); for the lost, the branch's decision to suspend
-- (停止党籍: when, by whom, the document). The member row's `mobile` and `lost_contact` say
-- whether one is open. The phone is stored as members' are: encrypted, with a masked copy.
CREATE TABLE member_mobility (
    id                  BIGINT PRIMARY KEY,
    member_id           BIGINT NOT NULL,
    kind                TEXT NOT NULL,
    since               TEXT NOT NULL,
    until               TEXT,
    place               TEXT,
    contact_cipher      TEXT,
    contact_masked      TEXT,
    certificate_no      TEXT,
    suspended_on        TEXT,
    suspended_by        TEXT,
    suspension_document TEXT,
    recorded_by         TEXT NOT NULL,
    recorded_at         TEXT NOT NULL
);
CREATE INDEX member_mobility_member ON member_mobility (member_id);
