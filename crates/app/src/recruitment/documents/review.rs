//! The 政治审查综合报告 of ⑩ and the 预审请示 of ⑬ (the branch asks its higher committee to
//! pre-review one or more candidates the branch committee has examined, ⑫).

use jiceng_domain::recruitment::StepKind;
use jiceng_domain::Date;
use jiceng_io::docx::Block;

use super::facts::{names, ordinal, particulars, signature, way_so_far, Facts};
use super::{DocError, DocKind, Lack, OrgDoc, PersonDoc};

/// 关于某某同志的政治审查综合报告.
pub(super) fn political(org: &OrgDoc, p: &PersonDoc, dated: Date) -> (Vec<Block>, Vec<Lack>) {
    let mut f = Facts::of(p);
    let name = f.name();
    let way = way_so_far(&mut f, StepKind::CandidateNamed);
    let review = f.step(StepKind::PoliticalReview);
    let done = f.date(StepKind::PoliticalReview);
    let by = review
        .and_then(|r| names(&r.people))
        .map(|n| format!("指派{n}同志"))
        .unwrap_or_default();
    let mut blocks = vec![
        Block::Title(format!("关于{name}同志的政治审查综合报告")),
        Block::Blank,
        Block::Body(format!("{}。{way}。", particulars(p))),
        Block::Body(format!(
            "根据《中国共产党发展党员工作细则》关于政治审查的规定，党支部{by}对{name}同志进行了政治审查。审查采取同本人谈话、查阅有关材料、向有关单位和人员了解情况等方式进行，主要审查其对党的理论和路线、方针、政策的态度，政治历史和在重大政治斗争中的表现，遵纪守法和遵守社会公德情况，以及直系亲属和与本人关系密切的主要社会关系的政治情况。"
        )),
        Block::Body(format!(
            "经审查，{name}同志政治立场坚定，拥护中国共产党的领导，拥护党的理论和路线、方针、政策，在思想上、政治上、行动上同党中央保持一致；本人历史清楚，遵纪守法，遵守社会公德；其直系亲属和与本人关系密切的主要社会关系政治历史清楚，未发现影响其入党的问题。"
        )),
    ];
    blocks.extend(
        review
            .and_then(|r| r.note.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Block::Body(format!("需要说明的情况：{n}"))),
    );
    blocks.push(Block::Body(format!(
        "综上，{name}同志政治审查合格。政治审查于{done}完成，有关材料已存入本人入党材料。"
    )));
    blocks.push(signature(org, dated));
    (blocks, f.lacks)
}

/// 关于对某某等N名发展对象进行预审的请示.
pub(super) fn request(
    org: &OrgDoc,
    people: &[PersonDoc],
    dated: Date,
) -> Result<(Vec<Block>, Vec<Lack>), DocError> {
    let higher = org
        .parent_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or(DocError::NoHigherCommittee {
            kind: DocKind::PreReviewRequest,
        })?;
    let who = match people {
        [one] => format!("{}同志", one.name),
        [first, ..] => format!("{}等{}名同志", first.name, people.len()),
        [] => String::new(),
    };
    let mut lacks = Vec::new();
    let mut blocks = vec![
        Block::Title(format!("关于对{who}进行入党预审的请示")),
        Block::Blank,
        Block::Flush(format!("{higher}：")),
        Block::Body(format!(
            "根据《中国共产党发展党员工作细则》有关规定，经培养教育考察，{who}已完成政治审查和集中培训，经支部委员会审查，认为基本具备党员条件，拟提交支部大会讨论接收为中共预备党员。现将有关情况报告如下："
        )),
    ];
    for (i, p) in people.iter().enumerate() {
        let (text, lacking) = candidate_item(p);
        blocks.push(Block::Body(format!("{}、{text}", ordinal(i + 1))));
        lacks.extend(lacking);
    }
    blocks.push(Block::Body(
        "以上同志的入党申请书、思想汇报、培养考察材料、政治审查材料和集中培训情况等一并报上，请予预审。"
            .to_string(),
    ));
    blocks.push(Block::Body("妥否，请批示。".to_string()));
    blocks.push(signature(org, dated));
    Ok((blocks, lacks))
}

/// One candidate's paragraph of the 请示.
fn candidate_item(p: &PersonDoc) -> (String, Vec<Lack>) {
    let mut f = Facts::of(p);
    let apply = f.date(StepKind::Apply);
    let activist = f.date(StepKind::ActivistNamed);
    let contacts = f.contacts();
    let candidate = f.date(StepKind::CandidateNamed);
    let sponsors = f.sponsors();
    let reviewed = f.date(StepKind::PoliticalReview);
    let training = f.training();
    let examined = f.date(StepKind::CommitteeReview);
    let text = format!(
        "{}。{apply}递交入党申请书；{activist}被确定为入党积极分子，培养联系人为{contacts}；{candidate}被确定为发展对象，入党介绍人为{sponsors}；{reviewed}完成政治审查，结论合格；参加集中培训{training}；{examined}经支部委员会审查，认为基本具备党员条件。",
        particulars(p)
    );
    (text, f.lacks)
}
