//! The county's standing bodies: departments, schools, hospitals, state enterprises.
//! `{n}` stands for the county's name (汶上县), `{c}` for its committee's (汶上县委).

/// A body of the county: name pattern, member range at scale 1, public institution (else
/// organ), and the labels of its branches when it is big enough to have several.
pub(crate) struct Body {
    pub name: &'static str,
    pub lo: i64,
    pub hi: i64,
    pub institution: bool,
    pub subs: &'static [&'static str],
}

const fn organ(name: &'static str, lo: i64, hi: i64) -> Body {
    Body {
        name,
        lo,
        hi,
        institution: false,
        subs: &[],
    }
}
const fn inst(name: &'static str, lo: i64, hi: i64) -> Body {
    Body {
        institution: true,
        ..organ(name, lo, hi)
    }
}
/// An organ with its own sub-units (police stations, courts' tribunals).
const fn organ_with(name: &'static str, lo: i64, hi: i64, subs: &'static [&'static str]) -> Body {
    Body {
        subs,
        ..organ(name, lo, hi)
    }
}

pub(crate) const POLICE_SUBS: &[&str] = &[
    "机关第一",
    "机关第二",
    "刑事侦查大队",
    "治安管理大队",
    "交通警察大队",
    "巡特警大队",
    "城区派出所",
    "看守所",
    "经济犯罪侦查大队",
    "禁毒大队",
    "网络安全保卫大队",
    "出入境管理大队",
];
pub(crate) const COURT_SUBS: &[&str] = &[
    "机关",
    "刑事审判庭",
    "民事审判第一庭",
    "民事审判第二庭",
    "立案庭",
    "执行局",
    "城区人民法庭",
    "行政审判庭",
];
pub(crate) const HOSPITAL_SUBS: &[&str] = &[
    "行政",
    "内科第一",
    "内科第二",
    "外科第一",
    "外科第二",
    "妇产科",
    "儿科",
    "医技",
    "护理",
    "门诊",
    "急诊",
    "药剂",
    "后勤",
    "骨科",
    "五官科",
    "肿瘤科",
    "康复科",
    "感染科",
];
pub(crate) const SCHOOL_SUBS: &[&str] = &[
    "第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八",
];

pub(crate) const DEPARTMENTS: &[Body] = &[
    organ("{c}办公室", 15, 35),
    organ("{c}组织部", 15, 30),
    organ("{c}宣传部", 10, 25),
    organ("{c}统战部", 8, 20),
    organ("{c}政法委员会", 8, 20),
    organ("{c}机构编制委员会办公室", 6, 15),
    organ("{c}巡察工作领导小组办公室", 6, 14),
    organ("{c}老干部局", 6, 12),
    inst("{c}党校", 15, 35),
    organ("{n}纪委监委机关", 40, 80),
    organ("{n}人大常委会机关", 15, 35),
    organ("{n}人民政府办公室", 20, 40),
    organ("{n}政协机关", 12, 30),
    organ("{n}发展和改革局", 20, 40),
    organ("{n}教育和体育局", 20, 40),
    organ("{n}科学技术局", 8, 16),
    organ("{n}工业和信息化局", 15, 30),
    organ_with("{n}公安局", 180, 480, POLICE_SUBS),
    organ("{n}民政局", 15, 35),
    organ("{n}司法局", 30, 70),
    organ("{n}财政局", 30, 80),
    organ("{n}人力资源和社会保障局", 30, 70),
    organ("{n}自然资源和规划局", 40, 100),
    organ("{n}住房和城乡建设局", 30, 80),
    organ("{n}交通运输局", 30, 80),
    organ("{n}水务局", 30, 70),
    organ("{n}农业农村局", 40, 100),
    organ("{n}商务局", 10, 25),
    organ("{n}文化和旅游局", 15, 40),
    organ("{n}卫生健康局", 20, 40),
    organ("{n}退役军人事务局", 8, 20),
    organ("{n}应急管理局", 15, 30),
    organ("{n}审计局", 10, 25),
    organ("{n}市场监督管理局", 70, 160),
    organ("{n}统计局", 8, 18),
    organ("{n}医疗保障局", 10, 25),
    organ("{n}综合行政执法局", 40, 120),
    organ("{n}行政审批服务局", 15, 35),
    organ("{n}信访局", 8, 15),
    organ("{n}生态环境分局", 15, 35),
    organ_with("{n}人民法院", 70, 160, COURT_SUBS),
    organ("{n}人民检察院", 45, 95),
    organ("国家税务总局{n}税务局", 70, 160),
    organ("{n}总工会", 6, 15),
    organ("共青团{n}委员会", 4, 10),
    organ("{n}妇女联合会", 4, 10),
    organ("{n}科学技术协会", 4, 8),
    organ("{n}工商业联合会", 4, 10),
    organ("{n}残疾人联合会", 6, 15),
    organ("{n}供销合作社联合社", 10, 25),
    organ("{n}气象局", 6, 12),
    inst("{n}融媒体中心", 20, 50),
    inst("{n}档案馆", 6, 15),
    inst("{n}住房公积金管理中心", 8, 15),
    inst("{n}农业技术推广中心", 15, 40),
    inst("{n}畜牧兽医事业发展中心", 10, 30),
    inst("{n}公路事业发展中心", 20, 60),
    inst("{n}图书馆", 5, 12),
    inst("{n}文化馆", 5, 12),
    inst("{n}社会保险事业中心", 15, 30),
    inst("{n}不动产登记中心", 10, 25),
    inst("{n}城市管理服务中心", 15, 30),
    inst("{n}水利工程管理服务中心", 15, 30),
    inst("{n}机关事务服务中心", 8, 20),
    inst("{n}检验检测中心", 10, 25),
    inst("{n}公共资源交易中心", 6, 15),
    inst("{n}林业保护发展服务中心", 8, 20),
    inst("{n}财政投资评审中心", 5, 12),
    inst("{n}退役军人服务中心", 5, 12),
];

/// County schools, biggest first; the first few are always there.
pub(crate) const COUNTY_SCHOOLS: &[(&str, i64, i64)] = &[
    ("{n}第一中学", 150, 300),
    ("{n}实验中学", 60, 150),
    ("{n}职业中等专业学校", 50, 120),
    ("{n}实验小学", 40, 90),
    ("{n}第二中学", 80, 200),
    ("{n}第二实验小学", 30, 70),
    ("{n}实验幼儿园", 8, 20),
    ("{n}特殊教育学校", 6, 15),
    ("{n}第三中学", 60, 150),
    ("{n}第三实验小学", 30, 70),
    ("{n}第四中学", 50, 120),
    ("{n}第二实验幼儿园", 8, 18),
    ("{n}第五中学", 40, 100),
    ("{n}第四实验小学", 25, 60),
];

pub(crate) const COUNTY_HOSPITALS: &[(&str, i64, i64)] = &[
    ("{n}人民医院", 160, 420),
    ("{n}中医医院", 70, 180),
    ("{n}妇幼保健院", 30, 80),
    ("{n}疾病预防控制中心", 15, 35),
    ("{n}第二人民医院", 60, 150),
    ("{n}精神卫生中心", 10, 30),
    ("{n}急救中心", 8, 20),
];

pub(crate) const STATE_ENTERPRISES: &[(&str, i64, i64)] = &[
    ("{n}城市建设投资集团有限公司", 40, 150),
    ("{n}农村商业银行股份有限公司", 60, 200),
    ("国网{n}供电公司", 50, 150),
    ("{n}水务集团有限公司", 20, 60),
    ("{n}国有资产运营有限公司", 10, 30),
    ("中国邮政集团有限公司{n}分公司", 15, 40),
    ("{n}公共交通有限公司", 10, 40),
    ("{n}粮食购销有限公司", 8, 25),
    ("{n}文化旅游发展集团有限公司", 10, 40),
    ("中国移动通信集团{n}分公司", 8, 20),
    ("中国石化销售有限公司{n}分公司", 8, 25),
    ("{n}热力有限公司", 10, 30),
    ("{n}交通发展集团有限公司", 15, 50),
    ("{n}农业发展集团有限公司", 10, 40),
];
