//! The two resolutions of the branch meeting: receiving a probationary member (⑮) and
//! confirming one (㉓), each with the attendance and the vote as recorded.

use chrono::Months;
use jiceng_domain::recruitment::StepKind;
use jiceng_domain::Date;
use jiceng_io::docx::Block;

use super::facts::{chinese_date, particulars, signature, vote_sentence, way_so_far, Facts};
use super::{Lack, OrgDoc, PersonDoc};

/// 关于接收某某同志为中共预备党员的决议.
pub(super) fn admission(org: &OrgDoc, p: &PersonDoc) -> (Vec<Block>, Vec<Lack>) {
    let mut f = Facts::of(p);
    let name = f.name();
    let way = way_so_far(&mut f, StepKind::CandidateNamed);
    let sponsors = f.sponsors();
    let meeting = f.on(StepKind::BranchVote);
    let vote = f.vote(StepKind::BranchVote);
    let (held, ends) = meeting.map_or((String::new(), String::new()), |d| {
        (chinese_date(d), chinese_date(year_after(d)))
    });
    let branch = org.name.trim();
    let blocks = vec![
        Block::Title(format!("关于接收{name}同志为中共预备党员的决议")),
        Block::Blank,
        Block::Body(format!(
            "{held}，{branch}召开支部大会，讨论{name}同志的入党问题。{}。{way}。",
            particulars(p)
        )),
        Block::Body(format!(
            "会上，{name}同志汇报了对党的认识、入党动机、本人履历、家庭和主要社会关系情况以及需要向党组织说明的问题；入党介绍人{sponsors}同志介绍了{name}同志的情况，并对其能否入党表明了意见；支部委员会报告了对{name}同志的审查情况。"
        )),
        Block::Body(vote_sentence(&vote)),
        Block::Body(format!(
            "支部大会认为，{name}同志入党动机端正，对党的认识比较正确，能够认真学习党的理论和路线、方针、政策，工作积极，作风正派，在群众中有较好的影响，基本具备党员条件。"
        )),
        Block::Body(format!(
            "支部大会决议：接收{name}同志为中共预备党员，预备期为一年，自{held}支部大会通过之日起计算，至{ends}期满。"
        )),
    ];
    (closed(blocks, org, meeting), f.lacks)
}

/// 关于某某同志预备党员转正的决议.
pub(super) fn confirmation(org: &OrgDoc, p: &PersonDoc) -> (Vec<Block>, Vec<Lack>) {
    let mut f = Facts::of(p);
    let name = f.name();
    let admitted = f.on(StepKind::BranchVote);
    let approved = f.date(StepKind::Approved);
    let applied = f.date(StepKind::ConfirmationApplied);
    let meeting = f.on(StepKind::ConfirmationVote);
    let held = meeting.map(chinese_date).unwrap_or_default();
    let vote = f.vote(StepKind::ConfirmationVote);
    let extended = f.find(StepKind::ProbationExtended).and_then(|s| s.until);
    let ends = admitted.map(|d| extended.map_or(year_after(d), |u| u.max(year_after(d))));
    let (admitted, ends) = (
        admitted.map(chinese_date).unwrap_or_default(),
        ends.map(chinese_date).unwrap_or_default(),
    );
    let (term, on_time) = match extended {
        Some(_) => (format!("预备期经延长，至{ends}期满"), ""),
        None => (format!("预备期至{ends}期满"), "按期"),
    };
    let sponsors = f
        .find(StepKind::SponsorsNamed)
        .map(|s| s.sponsors.iter().map(|x| x.name.trim()).collect::<Vec<_>>())
        .filter(|n| !n.is_empty())
        .map(|n| {
            format!(
                "入党介绍人{}同志介绍了{name}同志预备期间的表现；",
                n.join("、")
            )
        })
        .unwrap_or_default();
    let branch = org.name.trim();
    let blocks = vec![
        Block::Title(format!("关于{name}同志预备党员转正的决议")),
        Block::Blank,
        Block::Body(format!(
            "{held}，{branch}召开支部大会，讨论{name}同志的预备党员转正问题。{name}同志于{admitted}经支部大会讨论通过接收为中共预备党员，{approved}经上级党委批准，{term}。{applied}，{name}同志向党支部提出转正申请。"
        )),
        Block::Body(format!(
            "会上，{name}同志汇报了预备期间的学习、工作和思想情况；{sponsors}支部委员会报告了对{name}同志预备期间的教育考察情况和审查意见。"
        )),
        Block::Body(vote_sentence(&vote)),
        Block::Body(format!(
            "支部大会认为，{name}同志在预备期间能够认真履行党员义务，自觉学习党的理论，工作积极，发挥了党员的先锋模范作用，具备党员条件。"
        )),
        Block::Body(format!(
            "支部大会决议：同意{name}同志{on_time}转为中共正式党员，党龄自预备期满之日即{ends}起计算。"
        )),
    ];
    (closed(blocks, org, meeting), f.lacks)
}

/// A resolution goes to the higher committee for approval, signed by the branch and dated
/// the day of the meeting that adopted it.
fn closed(mut blocks: Vec<Block>, org: &OrgDoc, meeting: Option<Date>) -> Vec<Block> {
    blocks.push(Block::Body("本决议报上级党委审批。".to_string()));
    blocks.extend(meeting.map(|d| signature(org, d)));
    blocks
}

/// The probation's end: a year from the branch meeting (as `judge` counts it).
fn year_after(d: Date) -> Date {
    d.checked_add_months(Months::new(12)).unwrap_or(d)
}
