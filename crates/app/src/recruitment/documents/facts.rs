//! The facts a document reads from a person's steps, each read noting what is lacking, and
//! the phrases every document writes the same way (dates, the person's particulars, the
//! vote, the signature).

use chrono::Datelike;
use jiceng_domain::recruitment::{Notice, StepKind, StepRecord, Vote};
use jiceng_domain::Date;
use jiceng_io::docx::Block;

use super::{Lack, OrgDoc, PersonDoc};

/// Reads the facts of one person; a read that finds nothing notes the lack and answers an
/// empty value (the document is then never printed).
pub(super) struct Facts<'a> {
    person: &'a PersonDoc,
    pub lacks: Vec<Lack>,
}

impl<'a> Facts<'a> {
    pub fn of(person: &'a PersonDoc) -> Facts<'a> {
        Facts {
            person,
            lacks: Vec::new(),
        }
    }

    pub fn name(&self) -> &'a str {
        &self.person.name
    }

    fn lack(&mut self, step: StepKind, part: Option<&'static str>) {
        let lack = Lack {
            person: self.person.name.clone(),
            step,
            part,
        };
        if !self.lacks.contains(&lack) {
            self.lacks.push(lack);
        }
    }

    /// The step's last record, if any (no lack noted).
    pub fn find(&self, kind: StepKind) -> Option<&'a StepRecord> {
        self.person
            .steps
            .iter()
            .filter(|s| s.kind == kind)
            .max_by_key(|s| s.on)
    }

    /// The step's last record; its absence is a lack.
    pub fn step(&mut self, kind: StepKind) -> Option<&'a StepRecord> {
        let found = self.find(kind);
        if found.is_none() {
            self.lack(kind, None);
        }
        found
    }

    /// The step's date.
    pub fn on(&mut self, kind: StepKind) -> Option<Date> {
        self.step(kind).map(|s| s.on)
    }

    /// The step's date in words ("2025年9月1日").
    pub fn date(&mut self, kind: StepKind) -> String {
        self.on(kind).map(chinese_date).unwrap_or_default()
    }

    /// A part of a recorded step; its absence is a lack naming the part.
    fn part<T>(
        &mut self,
        kind: StepKind,
        what: &'static str,
        read: impl Fn(&'a StepRecord) -> Option<T>,
    ) -> Option<T> {
        let step = self.step(kind)?;
        let value = read(step);
        if value.is_none() {
            self.lack(kind, Some(what));
        }
        value
    }

    /// The counts of a vote (zeros when lacking).
    pub fn vote(&mut self, kind: StepKind) -> Vote {
        self.part(
            kind,
            "表决情况：应到、实到、赞成、反对、弃权人数",
            |s| s.vote,
        )
        .unwrap_or(Vote {
            due: 0,
            present: 0,
            yes: 0,
            no: 0,
            abstain: 0,
            written: 0,
            secret: None,
        })
    }

    /// The days a 公示 stood, in words ("2025年8月20日至2025年8月26日"), and its first day.
    pub fn notice(&mut self, kind: StepKind, what: &'static str) -> (String, Option<Date>) {
        let notice: Option<Notice> = self.part(kind, what, |s| s.notice);
        match notice {
            Some(n) => (
                format!("{}至{}", chinese_date(n.from), chinese_date(n.to)),
                Some(n.from),
            ),
            None => (String::new(), None),
        }
    }

    /// The two 入党介绍人 of ⑨ ("李四、王五").
    pub fn sponsors(&mut self) -> String {
        self.part(
            StepKind::SponsorsNamed,
            "两名入党介绍人的姓名",
            |s| {
                let names: Vec<&str> = s.sponsors.iter().map(|x| x.name.trim()).collect();
                (names.len() >= 2 && names.iter().all(|n| !n.is_empty())).then(|| names.join("、"))
            },
        )
        .unwrap_or_default()
    }

    /// The 培养联系人 of ⑤.
    pub fn contacts(&mut self) -> String {
        self.part(
            StepKind::ContactsAssigned,
            "培养联系人的姓名",
            |s| names(&s.people),
        )
        .unwrap_or_default()
    }

    /// The length of the 集中培训 of ⑪ ("3天（24学时）").
    pub fn training(&mut self) -> String {
        self.part(StepKind::CandidateTraining, "培训天数或学时", |s| {
            let t = s.training?;
            let hours = t.hours.filter(|h| *h > 0.0).map(|h| format!("{h}学时"));
            match (t.days.filter(|d| *d > 0), hours) {
                (Some(d), Some(h)) => Some(format!("{d}天（{h}）")),
                (Some(d), None) => Some(format!("{d}天")),
                (None, Some(h)) => Some(h),
                (None, None) => None,
            }
        })
        .unwrap_or_default()
    }
}

/// Names joined with 、, or `None` when there are none.
pub(super) fn names(people: &[String]) -> Option<String> {
    let names: Vec<&str> = people
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join("、"))
}

/// A date as documents write it: 2026年3月12日.
pub fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The person's particulars: "张三，男，汉族，1998年3月出生，大学本科学历，某某公司职员".
pub(super) fn particulars(p: &PersonDoc) -> String {
    let mut parts = vec![
        p.name.clone(),
        p.gender.label().to_string(),
        p.ethnicity.trim().to_string(),
        format!("{}年{}月出生", p.birth_date.year(), p.birth_date.month()),
    ];
    parts.extend(p.education.map(|e| format!("{}学历", e.label())));
    parts.extend(
        p.occupation
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_string),
    );
    parts.retain(|x| !x.is_empty());
    parts.join("，")
}

/// 1 → 一, 12 → 十二, 23 → 二十三 (the numbering of a 请示's list).
pub(super) fn ordinal(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// The meeting's attendance and the vote: "应到会有表决权的正式党员12名，实到会10名……".
pub(super) fn vote_sentence(v: &Vote) -> String {
    let written = match v.written {
        0 => String::new(),
        w => format!("，因故不能到会的有表决权的正式党员中有{w}名提交了书面意见"),
    };
    let how = match v.secret {
        Some(true) => "采取无记名投票方式进行表决",
        Some(false) => "采取举手方式进行表决",
        None => "进行表决",
    };
    let quorum = if v.present * 2 > v.due {
        "，到会人数超过应到会有表决权的正式党员的半数"
    } else {
        ""
    };
    let passed = if v.yes * 2 > v.due {
        "，赞成票超过应到会有表决权的正式党员的半数"
    } else {
        ""
    };
    format!(
        "本支部应到会有表决权的正式党员{}名，实到会{}名{written}{quorum}。与会党员经充分讨论，{how}，赞成{}票，反对{}票，弃权{}票{passed}。",
        v.due, v.present, v.yes, v.no, v.abstain
    )
}

/// The signer (the org) and the date, bottom right.
pub(super) fn signature(org: &OrgDoc, dated: Date) -> Block {
    Block::Signature {
        signer: org.name.trim().to_string(),
        date: chinese_date(dated),
    }
}

/// The way so far, as the documents tell it: "2023年3月1日递交入党申请书，2023年5月10日被
/// 确定为入党积极分子，2024年6月1日被确定为发展对象".
pub(super) fn way_so_far(f: &mut Facts, until: StepKind) -> String {
    let mut said = vec![
        format!("{}递交入党申请书", f.date(StepKind::Apply)),
        format!("{}被确定为入党积极分子", f.date(StepKind::ActivistNamed)),
    ];
    if until >= StepKind::CandidateNamed {
        said.push(format!(
            "{}被确定为发展对象",
            f.date(StepKind::CandidateNamed)
        ));
    }
    said.join("，")
}
