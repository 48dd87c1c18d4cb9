//! What the bench asks of the reports: the kinds it times, and the year and quarter it
//! asks them for. Shared by the timings (`reports`) and the obvious way (`baseline`).

use jiceng_domain::Period;

/// The reports as the bench asks them: (name, answer as JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Structure,
    StructurePage,
    Coverage,
    CoveragePage,
    Members,
    /// The full report: every noncompliant branch listed (an export).
    Compliance,
    /// What the compliance page serves: the org's and its children's rates.
    ComplianceOverview,
    /// The stored ratings: the stars distribution and the first page of orgs.
    Ratings,
    /// The weak organizations with their signals and evidence.
    Weak,
    /// The rectification cases and their progress.
    Rectification,
    /// The department's recruitment overview: per direct child org the people by stage,
    /// the overdue, the violations and the plan fulfilment of the year.
    RecruitmentOverview,
    /// The secretary's recruitment board: counts by stage and the first page of people
    /// on the way, due first.
    RecruitmentBoard,
    /// The full recruitment report (`jiceng report recruitment`) of the current year.
    Recruitment,
    /// 党费收缴统计 of the current year: each month and each direct child org, from the
    /// stored monthly facts, and the flagged named.
    Dues,
    /// 学时 of the current year: the org's and each direct child's stored tally (members,
    /// done, short, leading members short, secretaries without hours) and the staffing.
    Training,
    /// 经费保障 of the current year as its page serves it: totals by kind and source, the
    /// orgs below standard and without a record, collective incomes, each child's sums.
    Funding,
    /// 活动场所 as its page serves it: the venues of the subtree with their quarters of the
    /// current year (铁将军把门 flagged).
    Venues,
    /// 群众满意度测评 as its page serves it: the surveys of the subtree with their rates.
    Surveys,
    /// `jiceng report surveys` of the current year: totals, those below 60 %, the surveys.
    SurveyReport,
    /// 检验标准 of the current year as its page and the API serve it: the org's stored
    /// card scored, the children's heat map and the weakest link over the subtree's leaf
    /// orgs. The period is built by the first read (the root's cold figure includes it).
    Scorecard,
    /// 分析研判报告 of the current year as the web's .docx: the card (built), the
    /// members, structure, coverage, weak-org, rectification and organizational-life
    /// reports, written in the official layout with its charts (the target: ≤ 30 s at a
    /// province's root).
    Analysis,
}

impl Kind {
    /// Whether the bench also answers it the obvious way (the full reports of the
    /// foundation and organizational life, the stars distribution, the weak orgs).
    pub fn has_baseline(self) -> bool {
        matches!(
            self,
            Kind::Structure
                | Kind::Coverage
                | Kind::Members
                | Kind::Compliance
                | Kind::Ratings
                | Kind::Weak
                | Kind::RecruitmentOverview
                | Kind::RecruitmentBoard
                | Kind::Recruitment
        )
    }

    /// Whether it reads the records of 基础保障 and 满意度 (loaded into a set by
    /// `guarantees::ensure` first; the scorecard reads them too).
    pub fn is_guarantee(self) -> bool {
        matches!(
            self,
            Kind::Funding
                | Kind::Venues
                | Kind::Surveys
                | Kind::SurveyReport
                | Kind::Scorecard
                | Kind::Analysis
        )
    }

    /// Whether it is about 发展党员: asked at the branch with the most applicants rather
    /// than the level's branch (which may have none).
    pub fn is_recruitment(self) -> bool {
        matches!(
            self,
            Kind::RecruitmentOverview | Kind::RecruitmentBoard | Kind::Recruitment
        )
    }

    pub const ALL: [Kind; 21] = [
        Kind::Structure,
        Kind::StructurePage,
        Kind::Coverage,
        Kind::CoveragePage,
        Kind::Members,
        Kind::Compliance,
        Kind::ComplianceOverview,
        Kind::Ratings,
        Kind::Weak,
        Kind::Rectification,
        Kind::RecruitmentOverview,
        Kind::RecruitmentBoard,
        Kind::Recruitment,
        Kind::Dues,
        Kind::Training,
        Kind::Funding,
        Kind::Venues,
        Kind::Surveys,
        Kind::SurveyReport,
        Kind::Scorecard,
        Kind::Analysis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Structure => "structure",
            Kind::StructurePage => "structure(page)",
            Kind::Coverage => "coverage",
            Kind::CoveragePage => "coverage(page)",
            Kind::Members => "members",
            Kind::Compliance => "compliance",
            Kind::ComplianceOverview => "compliance(page)",
            Kind::Ratings => "ratings(page)",
            Kind::Weak => "weak",
            Kind::Rectification => "rectification",
            Kind::RecruitmentOverview => "recruitment(overview)",
            Kind::RecruitmentBoard => "recruitment(board)",
            Kind::Recruitment => "recruitment",
            Kind::Dues => "dues(overview)",
            Kind::Training => "training(overview)",
            Kind::Funding => "funding(overview)",
            Kind::Venues => "venues(page)",
            Kind::Surveys => "surveys(page)",
            Kind::SurveyReport => "surveys(report)",
            Kind::Scorecard => "scorecard(page)",
            Kind::Analysis => "analysis(docx)",
        }
    }
}

/// The year the bench rates and diagnoses: the current one (its records so far).
pub fn rating_year(day: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    day.year()
}

/// The quarter holding `day`.
pub fn quarter_of(day: chrono::NaiveDate) -> Period {
    use chrono::Datelike;
    Period::Quarter(day.year(), (day.month() - 1) / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_once_with_its_own_name() {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len());
    }

    #[test]
    fn the_recruitment_kinds_have_an_obvious_way() {
        let recruiting: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| k.is_recruitment())
            .collect();
        assert_eq!(
            recruiting,
            [
                Kind::RecruitmentOverview,
                Kind::RecruitmentBoard,
                Kind::Recruitment
            ]
        );
        assert!(recruiting.iter().all(|k| k.has_baseline()));
    }
}
