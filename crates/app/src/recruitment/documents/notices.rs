//! The two 公示: of a 发展对象 (its days recorded with ⑦) and of a person to be received as
//! a probationary member (its days recorded with ⑮, the branch meeting it precedes). A
//! notice is dated the first day it stood.

use jiceng_domain::recruitment::StepKind;
use jiceng_io::docx::Block;

use super::facts::{particulars, signature, way_so_far, Facts};
use super::{Lack, OrgDoc, PersonDoc};

const CLOSING: &str = "公示期间，党员和群众可以通过来信、来电、来访等方式，向党支部或上级党委组织部门反映该同志的情况和问题。反映情况应当实事求是，以个人名义反映的请署真实姓名，以单位名义反映的请加盖公章。党组织对反映的情况和问题将认真调查核实，并为反映人保密。";

/// 关于拟确定某某同志为发展对象的公示.
pub(super) fn candidate(org: &OrgDoc, p: &PersonDoc) -> (Vec<Block>, Vec<Lack>) {
    let mut f = Facts::of(p);
    let name = f.name();
    let way = way_so_far(&mut f, StepKind::ActivistNamed);
    let contacts = f.contacts();
    let (days, from) = f.notice(StepKind::CandidateNamed, "公示起止日期");
    let blocks = vec![
        Block::Title(format!("关于拟确定{name}同志为发展对象的公示")),
        Block::Blank,
        Block::Body(format!(
            "根据《中国共产党发展党员工作细则》有关规定，经听取党小组、培养联系人和党员、群众意见，支部委员会研究，拟确定{name}同志为发展对象。为广泛听取党员和群众意见，现将有关情况公示如下："
        )),
        Block::Body(format!(
            "{}。{way}，培养联系人为{contacts}。",
            particulars(p)
        )),
        Block::Body(format!("公示时间：{days}。")),
        Block::Body(CLOSING.to_string()),
    ];
    finish(org, blocks, from, f.lacks)
}

/// 关于拟接收某某同志为中共预备党员的公示.
pub(super) fn probationary(org: &OrgDoc, p: &PersonDoc) -> (Vec<Block>, Vec<Lack>) {
    let mut f = Facts::of(p);
    let name = f.name();
    let way = way_so_far(&mut f, StepKind::CandidateNamed);
    let sponsors = f.sponsors();
    let reviewed = f.date(StepKind::PoliticalReview);
    let training = f.training();
    let pre_review = f.date(StepKind::PreReview);
    let (days, from) = if f.find(StepKind::BranchVote).is_some() {
        f.notice(StepKind::BranchVote, "公示起止日期")
    } else {
        f.lacks.push(Lack {
            person: name.to_string(),
            step: StepKind::BranchVote,
            part: Some("公示起止日期：拟接收预备党员的公示随⑮一并记录，⑮记录前不能生成"),
        });
        (String::new(), None)
    };
    let blocks = vec![
        Block::Title(format!("关于拟接收{name}同志为中共预备党员的公示")),
        Block::Blank,
        Block::Body(format!(
            "根据《中国共产党发展党员工作细则》有关规定，{name}同志经支部委员会审查、上级党委预审同意，拟提交支部大会讨论接收为中共预备党员。为广泛听取党员和群众意见，现将有关情况公示如下："
        )),
        Block::Body(format!(
            "{}。{way}，入党介绍人为{sponsors}。{reviewed}完成政治审查，参加集中培训{training}，{pre_review}经上级党委预审合格。",
            particulars(p)
        )),
        Block::Body(format!("公示时间：{days}。")),
        Block::Body(CLOSING.to_string()),
    ];
    finish(org, blocks, from, f.lacks)
}

fn finish(
    org: &OrgDoc,
    mut blocks: Vec<Block>,
    from: Option<jiceng_domain::Date>,
    lacks: Vec<Lack>,
) -> (Vec<Block>, Vec<Lack>) {
    blocks.extend(from.map(|d| signature(org, d)));
    (blocks, lacks)
}
