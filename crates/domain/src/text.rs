//! The longest text each free-text field takes, in characters: one table for the forms,
//! the API and the imports, so a name of 10,000 characters is refused with the same
//! message wherever it comes from (issue 21).

/// A free-text field and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField {
    /// The field's name as forms and rosters title it.
    pub label: &'static str,
    /// Characters at most, counted after trimming.
    pub max: usize,
}

impl TextField {
    /// A field titled `label` taking `max` characters.
    pub const fn new(label: &'static str, max: usize) -> TextField {
        TextField { label, max }
    }

    /// The same limit under another title.
    pub const fn titled(self, label: &'static str) -> TextField {
        TextField { label, ..self }
    }

    /// `value` within the limit, or the message: 「姓名」过长（10000字，最多50字）.
    pub fn check(&self, value: &str) -> Result<(), String> {
        self.check_as(self.label, value)
    }

    /// As `check`, naming the field `label` (a roster's own column title).
    pub fn check_as(&self, label: &str, value: &str) -> Result<(), String> {
        let len = value.trim().chars().count();
        if len > self.max {
            Err(too_long(label, len, self.max))
        } else {
            Ok(())
        }
    }
}

/// The message for a text of `len` characters where `max` are allowed.
pub fn too_long(label: &str, len: usize, max: usize) -> String {
    format!("「{label}」过长（{len}字，最多{max}字）")
}

/// A member's name (as the member form has always allowed).
pub const MEMBER_NAME: TextField = TextField::new("姓名", 50);
pub const ETHNICITY: TextField = TextField::new("民族", 20);
/// 工作岗位: a job, or a workplace and post.
pub const OCCUPATION: TextField = TextField::new("工作岗位", 200);
/// An org's name (as the org form has always allowed), and a file's reference to an org
/// by name or code.
pub const ORG_NAME: TextField = TextField::new("组织名称", 100);
pub const ORG_REF: TextField = TextField::new("党组织", 100);
pub const ORG_CODE: TextField = TextField::new("组织代码", 50);
pub const APPROVING_ORG: TextField = TextField::new("批准机关", 100);
pub const UNIT_NAME: TextField = TextField::new("单位名称", 200);
/// 组织关系转接: the reason on a letter, the return's or withdrawal's, and the letter's
/// number.
pub const TRANSFER_REASON: TextField = TextField::new("转接原因", 200);
pub const LETTER_NO: TextField = TextField::new("介绍信编号", 40);
/// A person named in a record (党建工作指导员, 主持人), perhaps with a title.
pub const PERSON: TextField = TextField::new("姓名", 100);
pub const INSTRUCTOR: TextField = PERSON.titled("党建工作指导员");
pub const HOST: TextField = PERSON.titled("主持人");
pub const VENUE: TextField = TextField::new("地点", 200);
/// A short note: a reason for an absence, a change, a decision on a case.
pub const NOTE: TextField = TextField::new("说明", 2_000);
pub const EXCUSED_REASONS: TextField = NOTE.titled("请假事由");
/// A meeting's record: pages of text, still far below a spreadsheet cell's 32,767.
pub const MINUTES: TextField = TextField::new("会议记录", 20_000);
pub const DECISIONS: TextField = TextField::new("决议事项", 5_000);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes_after_trimming() {
        assert!(MEMBER_NAME.check(&"张".repeat(50)).is_ok());
        assert!(MEMBER_NAME
            .check(&format!("  {}  ", "张".repeat(50)))
            .is_ok());
        assert_eq!(
            MEMBER_NAME.check(&"张".repeat(10_000)),
            Err("「姓名」过长（10000字，最多50字）".to_string())
        );
        assert_eq!(
            OCCUPATION.check_as("职业", &"x".repeat(201)),
            Err("「职业」过长（201字，最多200字）".to_string())
        );
        assert_eq!(HOST.max, 100);
        assert_eq!(EXCUSED_REASONS.max, NOTE.max);
    }
}
