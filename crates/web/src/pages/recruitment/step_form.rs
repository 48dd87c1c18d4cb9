//! The record-step form as submitted: its values kept as text (a refused step comes back
//! as typed), read into a `StepInput`, and the refusal placed at its field — the form's
//! own (a number that is not one) and the use case's (`StepRefused::field`).

use jiceng_app::recruitment::StepInput;
use jiceng_domain::recruitment::{StepKind, Vote};

use crate::parse::parse_day;

/// The parts of the form a step needs besides its date, people, 文号 and note.
pub struct Needs {
    pub vote: bool,
    pub notice: bool,
    pub sponsors: bool,
    pub training: bool,
    pub until: bool,
}

impl Needs {
    pub fn of(kind: StepKind) -> Needs {
        use StepKind::*;
        Needs {
            vote: matches!(kind, BranchVote | ConfirmationVote | VoteFailed),
            notice: matches!(kind, CandidateNamed | BranchVote),
            sponsors: kind == SponsorsNamed,
            training: kind == CandidateTraining,
            until: kind == ProbationExtended,
        }
    }
}

/// The form's values as text.
#[derive(Default)]
pub struct StepValues {
    pub step: String,
    pub on: String,
    pub doc_ref: String,
    pub people: String,
    pub sponsors: Vec<String>,
    pub vote_due: String,
    pub vote_present: String,
    pub vote_yes: String,
    pub vote_no: String,
    pub vote_abstain: String,
    pub vote_written: String,
    pub vote_secret: bool,
    pub notice_from: String,
    pub notice_to: String,
    pub training_days: String,
    pub training_hours: String,
    pub until: String,
    pub note: String,
}

/// A refusal: the field it belongs to and the reason.
#[derive(Default)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(field: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            field,
            message: message.into(),
        }
    }

    /// The reason if it belongs to `field`.
    pub fn at(&self, field: &str) -> Option<&str> {
        (self.field == field).then_some(self.message.as_str())
    }

    /// The reason if it belongs to no field the form shows for the step.
    pub fn general(&self, needs: &Needs) -> Option<&str> {
        let shown = match self.field {
            "" => return None,
            "step" | "on" | "doc_ref" | "people" | "note" => true,
            "vote" => needs.vote,
            "notice" => needs.notice,
            "sponsors" => needs.sponsors,
            "training" => needs.training,
            "until" => needs.until,
            _ => false,
        };
        (!shown).then_some(self.message.as_str())
    }
}

fn get(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

impl StepValues {
    pub fn read(fields: &[(String, String)]) -> StepValues {
        let g = |n: &str| get(fields, n);
        StepValues {
            step: g("step"),
            on: g("on"),
            doc_ref: g("doc_ref"),
            people: g("people"),
            sponsors: fields
                .iter()
                .filter(|(k, v)| k == "sponsor" && !v.is_empty())
                .map(|(_, v)| v.clone())
                .collect(),
            vote_due: g("vote_due"),
            vote_present: g("vote_present"),
            vote_yes: g("vote_yes"),
            vote_no: g("vote_no"),
            vote_abstain: g("vote_abstain"),
            vote_written: g("vote_written"),
            vote_secret: !g("vote_secret").is_empty(),
            notice_from: g("notice_from"),
            notice_to: g("notice_to"),
            training_days: g("training_days"),
            training_hours: g("training_hours"),
            until: g("until"),
            note: g("note"),
        }
    }

    /// The input the use case takes, or the refusal of what cannot be read.
    pub fn input(&self) -> Result<StepInput, Refusal> {
        let day = |s: &str, what: &str, field: &'static str| {
            parse_day(s, what).map_err(|m| Refusal::new(field, m))
        };
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        Ok(StepInput {
            step: self.step.clone(),
            on: day(&self.on, "日期", "on")?,
            doc_ref: opt(&self.doc_ref),
            people: opt(&self.people),
            sponsor_ids: self
                .sponsors
                .iter()
                .map(|s| {
                    s.parse()
                        .map_err(|_| Refusal::new("sponsors", "入党介绍人无效"))
                })
                .collect::<Result<_, _>>()?,
            vote: self.vote()?,
            notice_from: day(&self.notice_from, "公示开始日期", "notice")?,
            notice_to: day(&self.notice_to, "公示结束日期", "notice")?,
            training_days: number(&self.training_days, "培训天数", "training")?,
            training_hours: match self.training_hours.as_str() {
                "" => None,
                h => {
                    Some(h.parse::<f64>().ok().filter(|h| *h >= 0.0).ok_or_else(|| {
                        Refusal::new("training", format!("培训学时应为数字：{h}"))
                    })?)
                }
            },
            until: day(&self.until, "延长后的预备期截止日期", "until")?,
            note: opt(&self.note),
        })
    }

    /// The vote's counts, if any was typed (a missing count is 0).
    fn vote(&self) -> Result<Option<Vote>, Refusal> {
        let counts = [
            (&self.vote_due, "应到"),
            (&self.vote_present, "实到"),
            (&self.vote_yes, "赞成"),
            (&self.vote_no, "反对"),
            (&self.vote_abstain, "弃权"),
            (&self.vote_written, "书面意见"),
        ];
        if counts.iter().all(|(v, _)| v.is_empty()) {
            return Ok(None);
        }
        let mut n = [0u32; 6];
        for (slot, (v, what)) in n.iter_mut().zip(counts) {
            *slot = number(v, what, "vote")?.unwrap_or(0);
        }
        Ok(Some(Vote {
            due: n[0],
            present: n[1],
            yes: n[2],
            no: n[3],
            abstain: n[4],
            written: n[5],
            secret: Some(self.vote_secret),
        }))
    }
}

fn number(s: &str, what: &str, field: &'static str) -> Result<Option<u32>, Refusal> {
    match s {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| Refusal::new(field, format!("{what}应为非负整数：{v}"))),
    }
}
