//! 群众诉求 / 我为群众办实事 (SPEC C8): a request from the masses received by an org — the
//! channel, the day, the category, what was asked — assigned to an org of its subtree and a
//! person responsible, its progress noted, and resolved with the result and the requester's
//! feedback; the days it took. A request still open after the rule set's
//! [`MassRequestRules::overdue_days`] is 逾期未办结. Requests are counted per org, never per
//! requester: the requester's name and phone are optional and kept out of every count.

use serde::{Deserialize, Serialize};

use crate::Date;

pub const CONTENT_MAX: usize = 2_000;
pub const HANDLER_MAX: usize = 50;
pub const REQUESTER_MAX: usize = 50;
pub const NOTE_MAX: usize = 1_000;
pub const RESULT_MAX: usize = 2_000;

macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $label:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* $v),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$v => stringify!($v)),*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$v => $label),*
                }
            }

            /// By code or Chinese label.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|k| k.code() == s || k.label() == s)
            }
        }
    };
}

coded!(
    /// How the request reached the org.
    Channel {
        Visit => "走访",
        Phone => "来电",
        Letter => "来信",
        Online => "网络",
        ReceptionDay => "接待日",
        Other => "其他",
    }
);

coded!(
    /// What the request is about.
    Category {
        Infrastructure => "基础设施",
        Employment => "就业",
        Medical => "医疗",
        Education => "教育",
        Elderly => "养老",
        Environment => "环境",
        Dispute => "矛盾纠纷",
        Other => "其他",
    }
);

coded!(
    /// The requester's feedback on the result.
    Feedback {
        Satisfied => "满意",
        BasicallySatisfied => "基本满意",
        Dissatisfied => "不满意",
        NoFeedback => "未反馈",
    }
);

impl Feedback {
    /// Whether the requester gave feedback at all.
    pub fn given(self) -> bool {
        self != Feedback::NoFeedback
    }

    /// 满意 or 基本满意.
    pub fn satisfied(self) -> bool {
        matches!(self, Feedback::Satisfied | Feedback::BasicallySatisfied)
    }
}

coded!(
    /// Where a request stands on a day.
    RequestStatus {
        Open => "办理中",
        Overdue => "逾期未办结",
        Resolved => "已办结",
    }
);

impl RequestStatus {
    /// The status on `today` of a request received on `received` and resolved on
    /// `resolved` (if it was), open at most `overdue_days` before it is overdue.
    pub fn of(received: Date, resolved: Option<Date>, today: Date, overdue_days: i64) -> Self {
        match resolved {
            Some(d) if d <= today => RequestStatus::Resolved,
            _ if (today - received).num_days() > overdue_days => RequestStatus::Overdue,
            _ => RequestStatus::Open,
        }
    }
}

/// 群众诉求 (SPEC C8): how long a request may stay open before it is 逾期未办结. No national
/// rule sets the number for party orgs; the shipped value is a local example (the
/// department sets its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MassRequestRules {
    pub overdue_days: i64,
    pub source: String,
}

impl Default for MassRequestRules {
    fn default() -> MassRequestRules {
        MassRequestRules {
            overdue_days: 30,
            source: "本地示例（《信访工作条例》(2022) 规定信访事项自受理之日起60日内办结，各地12345热线一般诉求多在15个工作日内办结；“我为群众办实事”诉求的办结时限由组织部门按本地实际设定）".into(),
        }
    }
}

impl MassRequestRules {
    /// The last day of receipt whose open requests are overdue on `today`.
    pub fn overdue_before(&self, today: Date) -> Date {
        today - chrono::Duration::days(self.overdue_days.max(0))
    }

    /// The rule in words, as the pages print it.
    pub fn describe(&self) -> String {
        format!(
            "受理之日起超过{}天未办结的诉求为“逾期未办结”",
            self.overdue_days
        )
    }
}

/// A request as written on the form (the org it is assigned to is chosen by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestDraft {
    pub channel: Option<Channel>,
    pub received_on: Option<Date>,
    pub category: Option<Category>,
    /// What was asked.
    pub content: String,
    /// The person responsible for handling it.
    pub handler: String,
    /// Optional: the requester's name (stored encrypted, shown masked).
    pub requester_name: String,
}

/// A request checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedRequest {
    pub channel: Channel,
    pub received_on: Date,
    pub category: Category,
    pub content: String,
    pub handler: String,
    pub requester_name: Option<String>,
}

/// What is wrong with a request, a progress note or a resolution, and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

fn bad(field: &'static str, message: impl Into<String>) -> RequestError {
    RequestError {
        field,
        message: message.into(),
    }
}

fn text(
    field: &'static str,
    s: &str,
    max: usize,
    what: &str,
) -> Result<Option<String>, RequestError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let n = s.chars().count();
    if n > max {
        return Err(bad(field, crate::text::too_long(what, n, max)));
    }
    Ok(Some(s.to_string()))
}

fn required(field: &'static str, s: &str, max: usize, what: &str) -> Result<String, RequestError> {
    text(field, s, max, what)?.ok_or_else(|| bad(field, format!("请填写{what}")))
}

/// Checks a request received on or before `today`.
pub fn check(d: &RequestDraft, today: Date) -> Result<CheckedRequest, RequestError> {
    let channel = d.channel.ok_or_else(|| bad("channel", "请选择受理渠道"))?;
    let received_on = d
        .received_on
        .ok_or_else(|| bad("received_on", "请填写受理日期"))?;
    if received_on > today {
        return Err(bad(
            "received_on",
            format!("受理日期{received_on}晚于今天（{today}）"),
        ));
    }
    let category = d
        .category
        .ok_or_else(|| bad("category", "请选择诉求类别"))?;
    let content = required("content", &d.content, CONTENT_MAX, "诉求内容")?;
    let handler = required("handler", &d.handler, HANDLER_MAX, "责任人")?;
    let requester_name = text(
        "requester_name",
        &d.requester_name,
        REQUESTER_MAX,
        "诉求人姓名",
    )?;
    Ok(CheckedRequest {
        channel,
        received_on,
        category,
        content,
        handler,
        requester_name,
    })
}

/// Checks a progress note of a request received on `received_on`, written on `today`.
pub fn check_progress(
    on: Option<Date>,
    note: &str,
    received_on: Date,
    resolved: bool,
    today: Date,
) -> Result<(Date, String), RequestError> {
    if resolved {
        return Err(bad("note", "该诉求已办结，不再登记办理进展"));
    }
    let on = on.ok_or_else(|| bad("on", "请填写进展日期"))?;
    if on > today {
        return Err(bad("on", format!("进展日期{on}晚于今天（{today}）")));
    }
    if on < received_on {
        return Err(bad("on", format!("进展日期{on}早于受理日期{received_on}")));
    }
    let note = required("note", note, NOTE_MAX, "办理进展")?;
    Ok((on, note))
}

/// A resolution as written on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolutionDraft {
    pub on: Option<Date>,
    pub result: String,
    pub feedback: Option<Feedback>,
}

/// A resolution checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub on: Date,
    pub result: String,
    pub feedback: Feedback,
    /// Days from receipt to resolution.
    pub days: i64,
}

/// Checks the resolution of a request received on `received_on`, written on `today`.
pub fn check_resolution(
    r: &ResolutionDraft,
    received_on: Date,
    resolved: bool,
    today: Date,
) -> Result<Resolution, RequestError> {
    if resolved {
        return Err(bad("result", "该诉求已办结"));
    }
    let on = r.on.ok_or_else(|| bad("resolved_on", "请填写办结日期"))?;
    if on > today {
        return Err(bad(
            "resolved_on",
            format!("办结日期{on}晚于今天（{today}）"),
        ));
    }
    if on < received_on {
        return Err(bad(
            "resolved_on",
            format!("办结日期{on}早于受理日期{received_on}"),
        ));
    }
    let result = required("result", &r.result, RESULT_MAX, "办理结果")?;
    let feedback = r
        .feedback
        .ok_or_else(|| bad("feedback", "请选择诉求人反馈（未反馈的选“未反馈”）"))?;
    Ok(Resolution {
        on,
        result,
        feedback,
        days: (on - received_on).num_days(),
    })
}

/// A name with all but its first character hidden: 张三 → 张*, 欧阳小明 → 欧***.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// The requests of a subtree counted (for a month, or all): received, resolved, their days,
/// overdue on the day, and the feedback given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub received: i64,
    pub resolved: i64,
    /// Days to resolution, summed over the resolved.
    pub days: i64,
    pub overdue: i64,
    /// Resolved with feedback given (not 未反馈), and of those 满意 or 基本满意.
    pub with_feedback: i64,
    pub satisfied: i64,
}

impl RequestCounts {
    pub fn open(&self) -> i64 {
        self.received - self.resolved
    }

    /// Resolved of received (0–1); `None` when nothing was received (暂无数据).
    pub fn resolution_rate(&self) -> Option<f64> {
        (self.received > 0).then(|| self.resolved as f64 / self.received as f64)
    }

    /// The mean days to resolution; `None` when nothing was resolved.
    pub fn average_days(&self) -> Option<f64> {
        (self.resolved > 0).then(|| self.days as f64 / self.resolved as f64)
    }

    /// 满意 and 基本满意 of the feedback given; `None` when none was given.
    pub fn satisfied_share(&self) -> Option<f64> {
        (self.with_feedback > 0).then(|| self.satisfied as f64 / self.with_feedback as f64)
    }
}

/// What the requests of an org's subtree bring to its diagnosis (懒) and rating on a day:
/// over the rule set's `masses_window_months` before it, the requests received and resolved,
/// and those open past the limit on the day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MassFacts {
    pub received: i64,
    pub resolved: i64,
    pub overdue: i64,
    /// Meetings of the window recorded with people from outside the party taking part
    /// (群众参与).
    #[serde(default)]
    pub meetings: i64,
}

impl MassFacts {
    pub fn add(&mut self, o: &MassFacts) {
        self.received += o.received;
        self.resolved += o.resolved;
        self.overdue += o.overdue;
        self.meetings += o.meetings;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn draft() -> RequestDraft {
        RequestDraft {
            channel: Some(Channel::Visit),
            received_on: Some(d("2026-11-02")),
            category: Some(Category::Infrastructure),
            content: " 村口路灯损坏，夜间出行不便 ".into(),
            handler: "王村委".into(),
            requester_name: String::new(),
        }
    }

    #[test]
    fn codes_and_labels_parse_both_ways() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(*c));
            assert_eq!(Channel::parse(c.label()), Some(*c));
        }
        assert_eq!(Category::parse("矛盾纠纷"), Some(Category::Dispute));
        assert_eq!(
            Feedback::parse("基本满意"),
            Some(Feedback::BasicallySatisfied)
        );
        assert_eq!(Channel::parse("电报"), None);
    }

    #[test]
    fn a_request_is_checked_field_by_field() {
        let today = d("2026-12-01");
        let c = check(&draft(), today).unwrap();
        assert_eq!(c.content, "村口路灯损坏，夜间出行不便");
        assert_eq!(c.requester_name, None);
        let e = check(
            &RequestDraft {
                received_on: Some(d("2026-12-02")),
                ..draft()
            },
            today,
        )
        .unwrap_err();
        assert_eq!(e.field, "received_on");
        assert!(e.message.contains("晚于今天"), "{e}");
        for (broken, field) in [
            (
                RequestDraft {
                    channel: None,
                    ..draft()
                },
                "channel",
            ),
            (
                RequestDraft {
                    category: None,
                    ..draft()
                },
                "category",
            ),
            (
                RequestDraft {
                    content: "  ".into(),
                    ..draft()
                },
                "content",
            ),
            (
                RequestDraft {
                    handler: String::new(),
                    ..draft()
                },
                "handler",
            ),
            (
                RequestDraft {
                    requester_name: "名".repeat(51),
                    ..draft()
                },
                "requester_name",
            ),
        ] {
            assert_eq!(check(&broken, today).unwrap_err().field, field);
        }
    }

    #[test]
    fn status_turns_overdue_after_the_limit_and_resolved_when_resolved() {
        let got = d("2026-11-01");
        assert_eq!(
            RequestStatus::of(got, None, d("2026-12-01"), 30),
            RequestStatus::Open
        );
        assert_eq!(
            RequestStatus::of(got, None, d("2026-12-02"), 30),
            RequestStatus::Overdue
        );
        assert_eq!(
            RequestStatus::of(got, Some(d("2026-12-20")), d("2026-12-25"), 30),
            RequestStatus::Resolved
        );
        // Resolved after the day asked about: still open (or overdue) on that day.
        assert_eq!(
            RequestStatus::of(got, Some(d("2026-12-20")), d("2026-12-10"), 30),
            RequestStatus::Overdue
        );
        let rules = MassRequestRules::default();
        assert_eq!(rules.overdue_before(d("2026-12-31")), d("2026-12-01"));
    }

    #[test]
    fn progress_and_resolution_stay_between_receipt_and_today() {
        let got = d("2026-11-02");
        let today = d("2026-12-01");
        assert_eq!(
            check_progress(Some(d("2026-11-01")), "已联系", got, false, today)
                .unwrap_err()
                .field,
            "on"
        );
        assert_eq!(
            check_progress(Some(d("2026-11-05")), "", got, false, today)
                .unwrap_err()
                .field,
            "note"
        );
        assert!(check_progress(Some(d("2026-11-05")), "已联系", got, true, today).is_err());
        let r = check_resolution(
            &ResolutionDraft {
                on: Some(d("2026-11-12")),
                result: "已更换路灯".into(),
                feedback: Some(Feedback::Satisfied),
            },
            got,
            false,
            today,
        )
        .unwrap();
        assert_eq!(r.days, 10);
        let no_feedback = ResolutionDraft {
            on: Some(d("2026-11-12")),
            result: "已更换路灯".into(),
            feedback: None,
        };
        assert_eq!(
            check_resolution(&no_feedback, got, false, today)
                .unwrap_err()
                .field,
            "feedback"
        );
        let late = ResolutionDraft {
            on: Some(d("2026-12-02")),
            ..no_feedback
        };
        assert_eq!(
            check_resolution(&late, got, false, today)
                .unwrap_err()
                .field,
            "resolved_on"
        );
    }

    #[test]
    fn counts_say_no_data_rather_than_zero() {
        let none = RequestCounts::default();
        assert_eq!(none.resolution_rate(), None);
        assert_eq!(none.average_days(), None);
        assert_eq!(none.satisfied_share(), None);
        let c = RequestCounts {
            received: 4,
            resolved: 3,
            days: 21,
            overdue: 1,
            with_feedback: 2,
            satisfied: 1,
        };
        assert_eq!(c.open(), 1);
        assert_eq!(c.resolution_rate(), Some(0.75));
        assert_eq!(c.average_days(), Some(7.0));
        assert_eq!(c.satisfied_share(), Some(0.5));
    }

    #[test]
    fn the_shipped_rule_set_carries_the_limit_and_its_source() {
        let book = crate::RuleBook::shipped();
        let r = &book.in_force(d("2026-06-01")).mass_requests;
        assert_eq!(r, &MassRequestRules::default());
        assert!(r.source.starts_with("本地示例"), "{}", r.source);
    }

    #[test]
    fn names_are_masked_but_their_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(" "), "");
    }
}
