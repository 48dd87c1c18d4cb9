//! Fixtures for the store tests: dates, org records and a small tree written in one
//! transaction.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use jiceng_domain::{Domain, Education, Gender, Meeting, MeetingKind, MemberStatus, Org, OrgKind};
use jiceng_store::meetings::StoredMeeting;
use jiceng_store::members::StoredMember;
use jiceng_store::orgs;
use jiceng_store::testing::TestDb;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A village org `C{id}` below `parent`, with no dates, committee or term on record.
pub fn bare_org(id: i64, parent: Option<i64>, kind: OrgKind, name: &str) -> Org {
    Org {
        id,
        code: format!("C{id}"),
        name: name.into(),
        kind,
        domain: Some(Domain::Village),
        region_code: None,
        parent_id: parent,
        founded_on: None,
        last_election_on: None,
        committee: None,
        term_years: None,
        temporary: false,
        approving_org: None,
        dissolved_on: None,
    }
}

/// The same org founded on 2015-01-01 and last elected on 2024-01-01.
pub fn dated_org(id: i64, parent: Option<i64>, kind: OrgKind, name: &str) -> Org {
    Org {
        founded_on: Some(d("2015-01-01")),
        last_election_on: Some(d("2024-01-01")),
        ..bare_org(id, parent, kind, name)
    }
}

/// Writes `orgs` (parents first) in one transaction; their paths.
pub async fn tree_of(db: &TestDb, list: &[Org]) -> Vec<String> {
    let mut tx = db.store.begin().await.unwrap();
    let paths = orgs::insert(&mut tx, list).await.unwrap();
    tx.commit().await.unwrap();
    paths
}

/// The top of every test tree: the county (1) and its two towns, 甲镇 (2) and 乙镇 (3),
/// made by `make` (`bare_org` or `dated_org`).
pub fn county_and_towns(make: fn(i64, Option<i64>, OrgKind, &str) -> Org) -> Vec<Org> {
    vec![
        make(1, None, OrgKind::LocalCommittee, "某县委"),
        make(2, Some(1), OrgKind::PrimaryCommittee, "甲镇党委"),
        make(3, Some(1), OrgKind::PrimaryCommittee, "乙镇党委"),
    ]
}

/// A full member `成员{id}` of the org at `path`: a man born 1980-05-01, joined
/// 2005-07-01, full a year later.
pub fn base_member(id: i64, org_id: i64, path: &str) -> StoredMember {
    StoredMember {
        id,
        org_id,
        org_path: path.into(),
        name: format!("成员{id}"),
        gender: Gender::Male,
        ethnicity: "汉族".into(),
        birth_date: d("1980-05-01"),
        id_hash: format!("hash{id}"),
        id_cipher: "x".into(),
        id_masked: "110101********0011".into(),
        education: Some(Education::Bachelor),
        status: MemberStatus::Full,
        joined_on: d("2005-07-01"),
        full_on: Some(d("2006-07-01")),
        occupation: None,
        phone_cipher: None,
        phone_masked: None,
        mobile: false,
        lost_contact: false,
        exited_on: None,
        transferred_in_on: None,
        group_id: None,
    }
}

/// A fresh, empty folder `jiceng_{label}_{pid}` in the temporary directory.
pub fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jiceng_{label}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small tmpfs mounted on a scratch folder (a disk that fills or turns read-only on
/// demand); unmounted and removed when dropped. Mounting needs root: without it the
/// test says SKIPPED.
pub struct Tmpfs(pub PathBuf);

impl Tmpfs {
    pub fn mount(label: &str, size: &str) -> Option<Tmpfs> {
        let dir = scratch(label);
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!(
                "SKIPPED {label}: cannot mount a tmpfs at {} (needs root)",
                dir.display()
            );
            let _ = std::fs::remove_dir_all(&dir);
            return None;
        }
        Some(Tmpfs(dir))
    }

    /// Remounts with `opts`. A connection just closed may still hold its file for a
    /// moment (SQLite's handle is closed by its worker thread), and the kernel answers
    /// "mount point is busy" until it is gone: tried again for up to 10 s.
    pub fn remount(&self, opts: &str) {
        for _ in 0..100 {
            let ok = Command::new("mount")
                .args(["-o", &format!("remount,{opts}")])
                .arg(&self.0)
                .status()
                .unwrap()
                .success();
            if ok {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("remount {opts}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A meeting of `org_id` recorded with counts (10 expected, 8 present).
pub fn meeting(id: i64, org_id: i64, kind: MeetingKind, date: &str, topic: &str) -> Meeting {
    Meeting {
        id,
        org_id,
        kind,
        also: vec![],
        for_year: None,
        election: false,
        date: d(date),
        topic: topic.into(),
        venue: Some("村部".into()),
        host: Some("赵一".into()),
        expected: 10,
        present: 8,
        excused: 1,
        excused_reasons: vec!["外出务工".into()],
        minutes: None,
        decisions: None,
        masses_present: Some(2),
        central_task: true,
        members_needs: false,
        votes: false,
        full_expected: None,
        full_present: None,
    }
}

/// `m` as stored: its org's path from `paths` (org `n` at `paths[n - 1]`), counting
/// for `branch`.
pub fn stored(m: Meeting, paths: &[String], branch: i64) -> StoredMeeting {
    let org_path = paths[(m.org_id - 1) as usize].clone();
    StoredMeeting {
        meeting: m,
        org_path,
        branch_id: branch,
        quorum_ok: None,
        created_by: "test".into(),
    }
}

/// Writes a theme day of `org` (at `org_path`, a branch) with `member` present, in one
/// transaction: the meeting, its attendance and its month.
pub async fn theme_day_attended(db: &TestDb, (id, org, org_path): (i64, i64, &str), member: i64) {
    let m = StoredMeeting {
        meeting: meeting(
            id,
            org,
            MeetingKind::ThemeDay,
            "2026-07-01",
            &format!("学习{id}"),
        ),
        org_path: org_path.to_string(),
        branch_id: org,
        quorum_ok: None,
        created_by: "test".into(),
    };
    let present = jiceng_domain::Attendance {
        member_id: member,
        status: jiceng_domain::AttendanceStatus::Present,
        reason: None,
        full: true,
    };
    let mut tx = db.store.begin().await.unwrap();
    jiceng_store::meetings::insert(&mut tx, std::slice::from_ref(&m))
        .await
        .unwrap();
    jiceng_store::meetings::insert_attendees(&mut tx, (id, org_path), &[present])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
