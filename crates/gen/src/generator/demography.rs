//! Who the members are in each kind of place: age bands, education, occupations and the
//! share of women by profile (rural, urban, enterprise, organ …), from the seed text.

use jiceng_domain::{Domain, Education};

/// Who the members of an org are: drives age, gender, education and occupation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Profile {
    Village,
    Community,
    Organ,
    Teacher,
    Health,
    Institution,
    StateEnt,
    Enterprise,
    Social,
    Coop,
    Retired,
}

pub(super) const AGE_BANDS: [(i64, i64); 10] = [
    (22, 30),
    (31, 35),
    (36, 40),
    (41, 45),
    (46, 50),
    (51, 55),
    (56, 60),
    (61, 70),
    (71, 80),
    (81, 90),
];

pub(super) const EDUCATIONS: [Education; 6] = [
    Education::Postgraduate,
    Education::Bachelor,
    Education::College,
    Education::Secondary,
    Education::HighSchool,
    Education::MiddleOrBelow,
];

impl Profile {
    pub(super) fn female_share(self) -> f64 {
        match self {
            Profile::Village | Profile::Coop => 0.19,
            Profile::Community => 0.42,
            Profile::Organ => 0.30,
            Profile::Teacher => 0.55,
            Profile::Health => 0.62,
            Profile::Institution => 0.36,
            Profile::StateEnt => 0.26,
            Profile::Enterprise => 0.30,
            Profile::Social => 0.45,
            Profile::Retired => 0.24,
        }
    }

    /// Weights over [`AGE_BANDS`].
    pub(super) fn ages(self) -> &'static [u32; 10] {
        match self {
            Profile::Village => &[5, 4, 5, 6, 8, 10, 12, 22, 19, 9],
            Profile::Community => &[4, 4, 5, 5, 6, 8, 10, 26, 21, 11],
            Profile::Organ
            | Profile::Teacher
            | Profile::Health
            | Profile::Institution
            | Profile::StateEnt => &[15, 14, 13, 12, 12, 11, 9, 8, 5, 1],
            Profile::Enterprise | Profile::Social => &[24, 19, 16, 13, 11, 9, 5, 2, 1, 0],
            Profile::Coop => &[8, 8, 10, 12, 14, 15, 13, 14, 5, 1],
            Profile::Retired => &[0, 0, 0, 0, 0, 0, 6, 45, 35, 14],
        }
    }

    /// Weights over [`EDUCATIONS`] for the young (≤ 35), the middle-aged and the old (> 55).
    pub(super) fn education(self, age: i64) -> &'static [u32; 6] {
        let band = if age <= 35 {
            0
        } else if age <= 55 {
            1
        } else {
            2
        };
        const RURAL: [[u32; 6]; 3] = [
            [0, 15, 25, 12, 23, 25],
            [0, 4, 10, 8, 30, 48],
            [0, 1, 3, 4, 22, 70],
        ];
        const URBAN: [[u32; 6]; 3] = [
            [6, 45, 28, 5, 10, 6],
            [2, 25, 30, 10, 20, 13],
            [1, 10, 15, 12, 30, 32],
        ];
        const PRO: [[u32; 6]; 3] = [
            [18, 70, 10, 1, 1, 0],
            [10, 62, 22, 3, 2, 1],
            [3, 35, 30, 15, 12, 5],
        ];
        const WORKER: [[u32; 6]; 3] = [
            [3, 33, 35, 10, 12, 7],
            [1, 16, 30, 12, 23, 18],
            [0, 5, 15, 15, 30, 35],
        ];
        match self {
            Profile::Village | Profile::Coop => &RURAL[band],
            Profile::Community | Profile::Retired => &URBAN[band],
            Profile::Organ
            | Profile::Teacher
            | Profile::Health
            | Profile::Institution
            | Profile::StateEnt => &PRO[band],
            Profile::Enterprise | Profile::Social => &WORKER[band],
        }
    }

    pub(super) fn occupations(self) -> &'static [(&'static str, u32)] {
        match self {
            Profile::Village => &[
                ("农民", 74),
                ("个体经营者", 8),
                ("村干部", 7),
                ("进城务工人员", 9),
                ("其他", 2),
            ],
            Profile::Community => &[
                ("企业管理人员", 12),
                ("专业技术人员", 15),
                ("工人", 20),
                ("个体经营者", 14),
                ("社区工作者", 12),
                ("自由职业者", 10),
                ("公务员", 5),
                ("教师", 5),
                ("医生", 3),
                ("学生", 2),
                ("其他", 2),
            ],
            Profile::Organ => &[("公务员", 85), ("事业单位管理人员", 10), ("工勤人员", 5)],
            Profile::Teacher => &[("教师", 85), ("事业单位管理人员", 10), ("工勤人员", 5)],
            Profile::Health => &[
                ("医生", 45),
                ("护士", 25),
                ("卫生技术人员", 15),
                ("事业单位管理人员", 10),
                ("工勤人员", 5),
            ],
            Profile::Institution => &[
                ("专业技术人员", 55),
                ("事业单位管理人员", 35),
                ("工勤人员", 10),
            ],
            Profile::StateEnt => &[("企业管理人员", 35), ("专业技术人员", 25), ("工人", 40)],
            Profile::Enterprise => &[
                ("企业管理人员", 35),
                ("专业技术人员", 20),
                ("工人", 40),
                ("个体经营者", 5),
            ],
            Profile::Social => &[
                ("社会组织从业人员", 55),
                ("专业技术人员", 20),
                ("企业管理人员", 15),
                ("个体经营者", 10),
            ],
            Profile::Coop => &[("农民", 80), ("企业管理人员", 15), ("个体经营者", 5)],
            Profile::Retired => &[("离退休人员", 1)],
        }
    }

    /// Whether members past retirement age are 离退休人员 rather than their trade.
    pub(super) fn retires(self) -> bool {
        !matches!(self, Profile::Village | Profile::Coop)
    }
}

pub(super) fn profile_of(domain: Domain) -> Profile {
    match domain {
        Domain::Village | Domain::Township => Profile::Village,
        Domain::Community | Domain::Street => Profile::Community,
        Domain::Organ => Profile::Organ,
        Domain::PublicInstitution => Profile::Institution,
        Domain::StateEnterprise => Profile::StateEnt,
        Domain::SocialGroup | Domain::PrivateNonEnterprise => Profile::Social,
        Domain::FarmerCooperative => Profile::Coop,
        _ => Profile::Enterprise,
    }
}
