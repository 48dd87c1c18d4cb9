//! The route table of the OpenAPI document: every route of `/api/v1`, with its parameters,
//! body and answer.

use super::{ApiRoute, In, Param};

const ORG: Param = Param {
    name: "org",
    at: In::Query,
    ty: "string",
    required: false,
    description: "党组织：id、组织代码或唯一的完整名称（默认为本人所属组织）",
};
const ID: Param = Param {
    name: "id",
    at: In::Path,
    ty: "integer",
    required: true,
    description: "id",
};
const Q: Param = Param {
    name: "q",
    at: In::Query,
    ty: "string",
    required: false,
    description: "姓名或名称的一部分；党员查询也可填完整的18位公民身份号码（精确匹配）",
};
const PAGE: Param = Param {
    name: "page",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "页码，从1开始",
};
const PAGE_SIZE: Param = Param {
    name: "page_size",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "每页条数（1–200，默认20）",
};

const YEAR: Param = Param {
    name: "year",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "年度（默认为今年）",
};
const ORG_KEY: Param = Param {
    name: "id",
    at: In::Path,
    ty: "string",
    required: true,
    description: "党组织 id 或组织代码",
};

const NAME_Q: Param = Param {
    name: "q",
    at: In::Query,
    ty: "string",
    required: false,
    description: "姓名的一部分（不接受身份证号）",
};
const SORT: Param = Param {
    name: "sort",
    at: In::Query,
    ty: "string",
    required: false,
    description: "org（默认）、name、joined 或 birth",
};
const COVERAGE: Param = Param {
    name: "coverage",
    at: In::Query,
    ty: "string",
    required: false,
    description: "OwnOrg、JointOrg、Instructor 或 Uncovered",
};
const DOMAIN: Param = Param {
    name: "domain",
    at: In::Query,
    ty: "string",
    required: false,
    description: "单位类型代码（如 NonPublicEnterprise）",
};
const REPORT_KIND: Param = Param {
    name: "kind",
    at: In::Path,
    ty: "string",
    required: true,
    description: "structure、coverage 或 members",
};
const IMPORT_KIND: Param = Param {
    name: "kind",
    at: In::Path,
    ty: "string",
    required: true,
    description: "orgs、members、units、meetings（三会一课台账）、recruitment（发展党员台账）、transfers（批量转出名单）、dues（党费收缴表）、training（培训签到表）、funding（经费保障台账）、requests（群众诉求台账）或 pairing（结对共建台账）",
};
const FORMAT: Param = Param {
    name: "format",
    at: In::Query,
    ty: "string",
    required: false,
    description: "xlsx（默认）、xls 或 csv",
};
const DRY_RUN: Param = Param {
    name: "dry_run",
    at: In::Query,
    ty: "boolean",
    required: false,
    description: "只检查，不写入",
};
const SKIP_INVALID: Param = Param {
    name: "skip_invalid",
    at: In::Query,
    ty: "boolean",
    required: false,
    description: "写入通过检查的行，跳过有误的行",
};
const FIELD: Param = Param {
    name: "field",
    at: In::Query,
    ty: "integer",
    required: true,
    description: "报送项的序号（从0起），须为文件项",
};
const FID: Param = Param {
    name: "fid",
    at: In::Path,
    ty: "integer",
    required: true,
    description: "报送文件 id",
};
const FILE_NAME: Param = Param {
    name: "name",
    at: In::Query,
    ty: "string",
    required: false,
    description: "文件名（如 名册.pdf；Word、Excel 文件须以 .docx、.xlsx 结尾）",
};
const MONTH: Param = Param {
    name: "month",
    at: In::Query,
    ty: "string",
    required: false,
    description: "月份：2026-11；默认本月",
};
const REQUEST_STATUS: Param = Param {
    name: "status",
    at: In::Query,
    ty: "string",
    required: false,
    description: "all（默认）、open 未办结、overdue 逾期未办结 或 resolved 已办结",
};
const VENUE_SHOWN: Param = Param {
    name: "shown",
    at: In::Query,
    ty: "string",
    required: false,
    description: "all（默认）或 idle（该年有季度铁将军把门的场所）",
};
const REQUEST_MONTH: Param = Param {
    name: "month",
    at: In::Query,
    ty: "string",
    required: false,
    description: "受理月份：2026-11；默认不限",
};
const PERIOD: Param = Param {
    name: "period",
    at: In::Query,
    ty: "string",
    required: false,
    description: "期间：2026-06（月）、2026Q2（季度）或 2026（年）；默认本月",
};
const SCORECARD_PERIOD: Param = Param {
    name: "period",
    at: In::Query,
    ty: "string",
    required: false,
    description: "检验标准的期间：2026（年度）、2026H1 或 2026H2（半年）、2026Q1 至 2026Q4（季度）；默认本年度",
};
const AS_OF: Param = Param {
    name: "as_of",
    at: In::Query,
    ty: "string",
    required: false,
    description: "评判日（YYYY-MM-DD），默认今天：未结束的周期列为待办，不计为未完成；统计口径为截至该日已结束的周期",
};
const STATUS: Param = Param {
    name: "status",
    at: In::Query,
    ty: "string",
    required: false,
    description: "pending（默认）、settled、dismissed 或 all",
};
const STARS: Param = Param {
    name: "stars",
    at: In::Query,
    ty: "string",
    required: false,
    description: "只列某一星级（1–5），none 为未定星",
};
const DAY: Param = Param {
    name: "day",
    at: In::Query,
    ty: "string",
    required: false,
    description: "日期（YYYY-MM-DD，默认今天）",
};
const DAYS: Param = Param {
    name: "days",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "无进展天数（默认60）",
};

/// A route answering 200, with a bearer token, no parameters and no body, as most do; the
/// builders below say where one differs.
const fn route(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> ApiRoute {
    ApiRoute {
        method,
        path,
        tag,
        summary,
        params: &[],
        body: None,
        status: 200,
        response: None,
        auth: true,
    }
}

const fn get(path: &'static str, tag: &'static str, summary: &'static str) -> ApiRoute {
    route("get", path, tag, summary)
}

const fn post(path: &'static str, tag: &'static str, summary: &'static str) -> ApiRoute {
    route("post", path, tag, summary)
}

const fn put(path: &'static str, tag: &'static str, summary: &'static str) -> ApiRoute {
    route("put", path, tag, summary)
}

impl ApiRoute {
    const fn params(self, params: &'static [Param]) -> ApiRoute {
        ApiRoute { params, ..self }
    }

    /// The request body's schema.
    const fn body(self, schema: &'static str) -> ApiRoute {
        ApiRoute {
            body: Some(schema),
            ..self
        }
    }

    /// The success status, when not 200.
    const fn status(self, status: u16) -> ApiRoute {
        ApiRoute { status, ..self }
    }

    /// The success answer's schema.
    const fn returns(self, schema: &'static str) -> ApiRoute {
        ApiRoute {
            response: Some(schema),
            ..self
        }
    }

    /// No token needed.
    const fn public(self) -> ApiRoute {
        ApiRoute {
            auth: false,
            ..self
        }
    }
}

/// Every route of the API.
pub const ROUTES: &[ApiRoute] = &[
    post("/auth/login", "auth", "登录，取得令牌（已绑定动态验证码的账号须同时提交 totp；连续失败将锁定账号）")
        .body("LoginRequest")
        .returns("Token")
        .public(),
    post("/auth/logout", "auth", "注销令牌")
        .status(204),
    post("/auth/password", "auth", "修改本人密码（需当前密码；密码超过有效期时其他接口均回答 403，直至修改）")
        .body("PasswordChange")
        .status(204),
    get("/me", "auth", "当前用户")
        .returns("Me"),
    get("/dashboard", "reports", "工作台：本级及下级的数量、组织设置问题、覆盖率、党员队伍结构")
        .params(&[ORG])
        .returns("Dashboard"),
    get("/orgs", "orgs", "按名称查找党组织（最多50个）；不带 q 时返回组织树的顶层")
        .params(&[Q])
        .returns("OrgList"),
    get("/orgs/{id}", "orgs", "党组织详情：基本信息、统计、问题、下级、直属党员第一页、单位、职务、沿革")
        .params(&[ID])
        .returns("OrgView"),
    put("/orgs/{id}", "orgs", "修改党组织信息（须填原因）")
        .params(&[ID])
        .body("OrgWrite")
        .returns("OrgView"),
    get("/orgs/{id}/children", "orgs", "下级党组织（组织树逐级展开）")
        .params(&[ID])
        .returns("OrgList"),
    post("/orgs/{id}/children", "orgs", "新建下级党组织（检查隶属关系，须填原因）")
        .params(&[ID])
        .body("OrgWrite")
        .status(201)
        .returns("Created"),
    post("/orgs/{id}/move", "orgs", "调整隶属关系（连同下级、党员和单位）")
        .params(&[ID])
        .body("OrgAction")
        .returns("OrgView"),
    post("/orgs/{id}/merge", "orgs", "并入另一党组织（下级、党员、单位转入，本组织撤销）")
        .params(&[ID])
        .body("OrgAction")
        .returns("OrgView"),
    post("/orgs/{id}/dissolve", "orgs", "撤销党组织（须无下级和党员；记录保留）")
        .params(&[ID])
        .body("OrgAction")
        .returns("OrgView"),
    post("/orgs/{id}/events", "orgs", "登记换届选举、委员会设立或撤销、批准延期换届（until，不超过规定上限）、书记空缺（无前任记录）；带日期，组织行同步更新")
        .params(&[ID])
        .body("OrgEvent")
        .returns("OrgView"),
    post("/positions/{id}/end", "members", "结束职务（离任）：离任日期即书记空缺的起始日（无继任者时）")
        .params(&[ID])
        .body("PositionEnd")
        .returns("PositionEnded"),
    get("/members", "members", "党员名册：按组织（含下级）、姓名查询，排序，分页；身份证号与电话脱敏。q 形如身份证号时拒绝（400）：号码须用 POST /members/search 在请求体中提交")
        .params(&[ORG, NAME_Q, SORT, PAGE, PAGE_SIZE])
        .returns("MemberPage"),
    post("/members/search", "members", "党员查询（请求体）：按姓名或完整的公民身份号码（经密钥哈希精确匹配），号码不出现在网址中")
        .body("MemberSearch")
        .returns("MemberPage"),
    get("/members/{id}", "members", "党员详情（脱敏）")
        .params(&[ID])
        .returns("MemberView"),
    put("/members/{id}", "members", "修改党员信息")
        .params(&[ID])
        .body("MemberEdit")
        .returns("MemberView"),
    post("/members/{id}/id-number", "members", "查看一名党员的完整公民身份号码（限有权角色，记入审计）")
        .params(&[ID])
        .returns("IdNumber"),
    get("/units", "units", "单位名录与覆盖方式")
        .params(&[ORG, Q, COVERAGE, DOMAIN, PAGE, PAGE_SIZE])
        .returns("UnitPage"),
    get("/reports/{kind}", "reports", "报表：structure（组织设置）、coverage（覆盖情况）、members（党员队伍结构）")
        .params(&[REPORT_KIND, ORG])
        .returns("Report"),
    post("/imports/{kind}", "imports", "导入：请求体为文件内容；先检查全部行，任一行有误则不写入（除非 skip_invalid）")
        .params(&[IMPORT_KIND, ORG, FORMAT, DRY_RUN, SKIP_INVALID])
        .body("File")
        .returns("ImportReport"),
    post("/meetings", "life", "记录一次组织生活（会议）：党支部，或党小组会由党小组；同一组织、类型、日期、主题只记录一次")
        .body("NewMeeting")
        .status(201)
        .returns("RecordedMeeting"),
    get("/meetings", "life", "会议记录（本人范围内或 org 及其下级，按日期从新到旧）")
        .params(&[ORG, PAGE, PAGE_SIZE])
        .returns("MeetingPage"),
    get("/meetings/{id}", "life", "一次会议的详情：参会情况、参会率、党员大会表决是否过半数")
        .params(&[ID])
        .returns("MeetingView"),
    put("/meetings/{id}", "life", "更正会议记录：以提交的记录（字段同 POST /meetings，另须 reason：更正原因）代替原记录，同一事务内更新本支部组织生活统计，原记录和原因记入审计日志；返回新记录（新 id）。未填原因、与其他记录重复、改到其他党支部等 400")
        .params(&[ID])
        .body("MeetingCorrection")
        .returns("RecordedMeeting"),
    post("/meetings/{id}/void", "life", "作废会议记录（误录或实际未召开）：须填 reason；同一事务内删除记录及参会情况并更新本支部组织生活统计，原记录和原因记入审计日志")
        .params(&[ID])
        .body("MeetingVoid")
        .status(204),
    get("/orgs/{id}/due", "life", "本月待办：党支部（或党小组所在支部）本月、本季度、本年度尚未完成的组织生活")
        .params(&[ID])
        .returns("Due"),
    get("/reports/compliance", "life", "组织生活开展情况：期间内各支部是否达标、缺项、未开展任何组织生活的支部、下级汇总、月份×类型日历")
        .params(&[ORG, PERIOD, AS_OF])
        .returns("ComplianceReport"),
    get("/recruitment", "recruitment", "发展党员：本级及下级按阶段的人数、本月到期与已逾期人数，发展中的人员（截止日期最早的在前，含下一步与违反时间规定的项数）")
        .params(&[ORG])
        .returns("RecruitmentBoard"),
    post("/recruitment/people", "recruitment", "登记入党申请人（步骤① 递交入党申请书），由 org 接收；不符合规定时 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("NewApplicant")
        .status(201)
        .returns("Created"),
    get("/recruitment/people/{id}", "recruitment", "一名入党申请人（积极分子、发展对象、预备党员）的发展过程：基本信息（身份证号脱敏）、按五个阶段的步骤、下一步及期限、违反时间规定的情况、现在可记录的步骤")
        .params(&[ID])
        .returns("RecruitmentPerson"),
    post("/recruitment/people/{id}/steps", "recruitment", "记录一个步骤（⑰ 上级党委审批后自动编入党员名册为预备党员，㉔ 后转为正式党员）；顺序不对、日期早于上一步、介绍人不是正式党员、赞成票未过半数等一律 400，error 为中文原因，field 为所属字段，不作任何改动")
        .params(&[ID])
        .body("StepInput")
        .status(201)
        .returns("Created"),
    get("/recruitment/overview", "recruitment", "发展党员概况（组织部门、党委）：每个直属下级党组织按阶段的人数、已逾期、违反时间规定的项数、年度计划与已发展人数及差额；本级计划完成情况（总数与五项结构指标）。由保存的判定结果汇总，不逐人重新评判")
        .params(&[ORG, YEAR])
        .returns("RecruitmentOverview"),
    get("/reports/recruitment", "recruitment", "发展党员报表（与 jiceng report recruitment --format json 相同）：by_stage、due（下一步及期限）、violations（违反时间规定）、plan（计划、已发展、结构指标）")
        .params(&[ORG, YEAR])
        .returns("RecruitmentReport"),
    put("/recruitment/plans", "recruitment", "设置本级某年度发展党员计划（总数与结构指标：under_35、women、front_line、college、young_farmers）；超过上级计划或小于下级计划合计时 400，error 为中文原因，不作改动；成功时返回本级计划完成情况")
        .params(&[ORG, YEAR])
        .body("RecruitmentPlan")
        .returns("PlanFulfilment"),
    get("/transfers", "transfers", "组织关系转接：本级及下级待接收的介绍信（接收前只显示介绍信所载信息）、转出未办结的介绍信、近90天办结的；逾期未接收的标出（有效期3个月）")
        .params(&[ORG])
        .returns("TransferLetters"),
    get("/transfers/{id}", "transfers", "一封介绍信（转出或接收党组织在本人范围内时可见）：状态、有效期、是否逾期，以及本人可办理的事项")
        .params(&[ID])
        .returns("TransferLetter"),
    post("/members/{id}/transfer", "transfers", "为党员开具组织关系介绍信：转往本系统内任何党组织（to：组织代码或名称），或系统外（outside、to_name）；已有待接收的介绍信、日期晚于今天、原因为空等 400，error 为中文原因，field 为所属字段")
        .params(&[ID])
        .body("NewLetter")
        .status(201)
        .returns("TransferLetter"),
    post("/transfers/{id}/receive", "transfers", "接收党组织接收组织关系：党员自接收之日起转入本组织（名册、统计在同一事务中变更），在原组织的职务于该日免去；逾期（超过有效期）的不能接收，400")
        .params(&[ID])
        .body("TransferDay")
        .returns("TransferLetter"),
    post("/transfers/{id}/return", "transfers", "接收党组织退回介绍信（须填写原因），党员仍在原组织")
        .params(&[ID])
        .body("TransferReason")
        .returns("TransferLetter"),
    post("/transfers/{id}/withdraw", "transfers", "转出党组织撤回待接收或被退回的介绍信（如逾期后重新开具）")
        .params(&[ID])
        .body("TransferReason")
        .returns("TransferLetter"),
    post("/transfers/{id}/receipt", "transfers", "转往系统外的介绍信登记回执：党员自回执日期起不再计入本组织（记录保留）")
        .params(&[ID])
        .body("TransferDay")
        .returns("TransferLetter"),
    post("/transfers/in", "transfers", "登记从系统外转入的组织关系：按介绍信所载信息将党员列入 org 的名册，自接收之日起计入；身份证号已在名册中的 400")
        .params(&[ORG])
        .body("TransferArrival")
        .status(201)
        .returns("ArrivedMember"),
    post("/members/{id}/exit", "members", "登记党员出党（死亡、退党、劝退、除名、开除党籍、自行脱党、取消预备党员资格）：自出党之日起不再列入名册和统计，在任职务当日免去，记录保留；有待接收的介绍信、日期不对、缺决定机关等 400，error 为中文原因，field 为所属字段")
        .params(&[ID])
        .body("ExitInput")
        .returns("Object"),
    get("/mobility", "members", "流动党员和失联党员：本级及下级正在外出、失联的党员，以及按规定应由支部研究的事项（不自动处理）")
        .params(&[ORG])
        .returns("Mobility"),
    get("/mobility/in", "members", "流入党员：在本级及下级党支部参加组织生活的流入党员（组织关系在其他党组织；无表决权，不计入本组织党员）；all=true 时含已离开的")
        .params(&[ORG])
        .returns("Guests"),
    post("/mobility/in", "members", "登记流入党员（org 须为党支部）：组织关系在本系统内的按身份证号自动关联其所在党组织；是本支部党员、姓名与名册不符、重复登记、不在本系统又未填组织关系所在党组织等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("GuestInput")
        .status(201)
        .returns("Object"),
    post("/mobility/in/leave", "members", "登记流入党员离开（返回或另赴他处）：返回本级及下级当前的流入党员；日期早于流入日期或晚于今天、已登记离开等 400")
        .params(&[ORG])
        .body("GuestLeave")
        .returns("Guests"),
    post("/members/{id}/mobility", "members", "登记党员外出、返回、失联、恢复联系或停止党籍决定；日期晚于今天、重复登记、失联未满6个月即停止党籍等 400，error 为中文原因，field 为所属字段")
        .params(&[ID])
        .body("MobilityInput")
        .returns("Object"),
    get("/dues", "dues", "党费收缴表：本组织直属党员一个月的党费类别、每月应交、是否已交、欠交及连续未交月数（身份证号脱敏），合计、上缴和含下级的统计；本月未结束的未交不计为欠交")
        .params(&[ORG, MONTH])
        .returns("DuesSheet"),
    post("/dues/payments", "dues", "登记本组织直属党员交纳党费（一人或多人；一个月或 from_month 至 to_month 多个月；不填金额按每月应交）：未核定基数、非本组织党员、日期晚于今天等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("DuesPayInput")
        .returns("Object"),
    post("/dues/handover", "dues", "登记本组织某月党费上缴金额和日期（再次登记则替换）")
        .params(&[ORG])
        .body("DuesHandoverInput")
        .returns("Object"),
    get("/reports/dues", "dues", "党费收缴统计（period：月或年，默认本年）：逐月及每个直属下级的核定人数、应交、交纳人次、实交、收缴率、上缴，连续未交纳满规定月数的党员名单（提交党支部研究，不自动处理）；由存储的每月统计读取")
        .params(&[ORG, PERIOD])
        .returns("DuesOverview"),
    post("/members/{id}/dues/base", "dues", "核定党员党费基数（自某月起；按《关于中国共产党党费收缴、使用和管理的规定》计算每月应交）：返回党员信息（含 dues）；类别无法识别、缺工资或养老金、农民超出0.2元至1元等 400")
        .params(&[ID])
        .body("DuesBaseInput")
        .returns("Object"),
    post("/members/{id}/dues/payments", "dues", "登记一名党员交纳党费（可一次交纳多月，金额不填按应交）：返回党员信息（含 dues）")
        .params(&[ID])
        .body("DuesPayInput")
        .returns("Object"),
    post("/members/{id}/dues/unpay", "dues", "撤销一名党员某月的交纳记录（误登记时）：返回党员信息")
        .params(&[ID])
        .body("DuesMonth")
        .returns("Object"),
    get("/reports/transfers", "transfers", "组织关系转接报表：期间内本级及每个直属下级转出、转入、被退回的组织关系，现在待接收及逾期的介绍信，逾期未接收的名单（身份证号脱敏）")
        .params(&[ORG, PERIOD])
        .returns("TransfersReport"),
    get("/training", "training", "党员教育培训学时：本级及每个直属下级的年度汇总（读存储的按组织按年汇总，不逐人统计），学时不足的党员（身份证号脱敏），乡镇党委党建工作力量和无学时的支部书记；年度未结束时为进度（还差N学时），无学时记录为暂无数据")
        .params(&[ORG, YEAR])
        .returns("TrainingReport"),
    post("/training", "training", "登记一次培训及参加的党员（org 及下级名册上的党员）；学时超过一位小数、跨年度、开始日期晚于今天、重复登记、党员不在名册上等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("TrainingInput")
        .status(201)
        .returns("TrainingCreated"),
    post("/orgs/{id}/staff", "training", "登记或免去党组织的党建工作人员（组织员、党建工作指导员等）；乡镇党委的组织员和党建工作指导员少于规定人数的在学时汇总中列出")
        .params(&[ORG_KEY])
        .body("StaffInput")
        .returns("StaffList"),
    get("/tasks", "tasks", "任务督办：本组织下达的、下达到本组织的（含状态：办理中、逾期未完成、已完成、逾期完成）和下级党组织下达的任务，各最多100项")
        .params(&[ORG])
        .returns("TaskList"),
    post("/tasks", "tasks", "部署任务：发给 org 以下按组织类别、领域、范围、本年度软弱涣散筛选的党组织；报送内容中系统已掌握的数据由系统填写（最多报一次）；每个任务对象本月收到的任务计入减负台账；preview 为 true 时只预览（任务对象数量、达到或超过每月上限的数量）；parent 为分解下达的上级任务。完成时限早于今天、没有任务对象等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("TaskInput")
        .status(201)
        .returns("TaskIssued"),
    get("/tasks/{id}", "tasks", "从 org 看一项任务：下达单位及其上级看全部任务对象，任务对象看本组织及以下；按直属下级汇总完成情况，逾期未完成单列；系统填写的报送项按存储的数据填写")
        .params(&[ID, ORG])
        .returns("TaskView"),
    post("/tasks/{id}/report", "tasks", "org（任务对象）报告进展或完成：已完成须填写全部由基层填写的报送项；数字最多两位小数；204 为已保存，400 的 field 为所属字段")
        .params(&[ID, ORG])
        .body("TaskReport")
        .status(204)
        .returns("Object"),
    post("/tasks/{id}/file", "tasks", "org（任务对象）上传报送项 field 要求的文件：请求体为文件内容；照片（JPG、PNG）、PDF、Word（.docx）或 Excel（.xlsx），按内容识别，10 MB 以内；替换此前为该项上传的文件，该项的报送内容为文件名；201 为已保存；不是文件项、空文件、过大或类型不符等 400")
        .params(&[ID, ORG, FIELD, FILE_NAME])
        .body("File")
        .status(201)
        .returns("RecordFile"),
    get("/tasks/{id}/files/{fid}", "tasks", "任务对象上传的报送文件内容（fid 见任务的 lines[].answers[].file 或上传的回答；任务对象及其上级可看，其他 404）")
        .params(&[ID, FID]),
    post("/tasks/{id}/remind", "tasks", "提醒 org 下达的任务中未完成的任务对象（站内提醒，同一任务每天每个对象最多一次）")
        .params(&[ID, ORG])
        .returns("TaskUrged"),
    post("/tasks/{id}/extend", "tasks", "延长 org 下达的任务中未完成任务对象的完成时限（全部或所列党组织）；新时限早于今天、没有未完成的对象等 400")
        .params(&[ID, ORG])
        .body("TaskExtend")
        .returns("TaskUrged"),
    post("/tasks/{id}/outcomes", "tasks", "org（下达单位）代任务对象导入完成情况：请求体为按填报模板填写的文件（每个任务对象一行：党组织代码或名称、各由基层填写的报送项、进展情况、佐证材料、是否完成）；先检查全部行（非任务对象、数字超过两位小数、是否不为是/否、已完成但报送项未填、重复等），任一行有误则不写入；未填写的行跳过（blank）；每行按该任务对象的报告写入并记入审计")
        .params(&[ID, ORG, FORMAT, DRY_RUN])
        .body("File")
        .returns("ImportReport"),
    put("/burden/ceilings", "tasks", "设定减负台账的每月上限（组织部门、系统管理员）；每项1–100，超出 400；审计")
        .body("BurdenCeilings")
        .returns("BurdenCeilings"),
    get("/burden", "tasks", "减负台账：org 及以下党组织某月（month=2026-12，默认本月）收到的任务，按层级对照每月上限、按下达单位、负担最重的党组织，系统代答和仍要求填报已掌握数据的项次")
        .params(&[ORG, MONTH])
        .returns("BurdenLedger"),
    get("/inspections", "tasks", "督查：期间（period=2026、2026Q4、2026-12，默认本年度）内本组织及以下的督查记录和发现的问题，本组织及以下待整改的问题（逾期未整改单列）")
        .params(&[ORG, PERIOD])
        .returns("InspectionList"),
    post("/inspections", "tasks", "登记对 org 的督查：日期、督查人员、方式、督查情况、发现的问题（整改责任人、时限）；计入被督查党组织当月的减负台账。督查日期晚于今天、缺少整改时限等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("InspectionInput")
        .status(201)
        .returns("InspectionCreated"),
    post("/inspections/{id}/fix", "tasks", "登记督查发现的问题已整改（org 为被督查的党组织或其上级）；204 为已保存")
        .params(&[ID, ORG])
        .body("ProblemFix")
        .status(204)
        .returns("Object"),
    get("/duty", "tasks", "述职评议考核：某年度（year，默认本年度）本组织及以下的述职评议考核、述职述廉和离任审计记录，待整改的问题，述职评议按等次计数")
        .params(&[ORG, YEAR])
        .returns("DutyList"),
    get("/duty/report", "tasks", "述职评议考核按党组织汇总：某年度每个有记录的党组织的述职评议等次、各类记录数、指出问题、待整改和逾期未整改的问题数")
        .params(&[ORG, YEAR])
        .returns("DutyReport"),
    post("/duty", "tasks", "登记 org 书记的述职评议考核（按测评票和规则集计算等次）、述职述廉或离任审计，及指出的问题（整改责任人、时限）。日期晚于今天、述职评议缺测评票、离任日期晚于审计日期等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("DutyInput")
        .status(201)
        .returns("DutyCreated"),
    get("/duty/{id}", "tasks", "一条述职评议考核、述职述廉或离任审计记录（org 为该党组织或其上级）")
        .params(&[ID, ORG])
        .returns("DutyRecord"),
    post("/duty/{id}/fix", "tasks", "登记述职评议等指出的问题已整改（org 为该党组织或其上级）；204 为已保存")
        .params(&[ID, ORG])
        .body("ProblemFix")
        .status(204)
        .returns("Object"),
    put("/duty/grading", "tasks", "设定述职评议等次规则（组织部门、系统管理员）：好、较好、一般的最低平均分（0–100，依次降低）和“差”票超过即定为差的比例（poor_share_max，0–1）；此后登记的述职评议按此定等次，已登记的不变；各等次分值按规则集；审计")
        .body("DutyGrading")
        .returns("DutyGradingSet"),
    post("/duty/{id}/file", "tasks", "上传记录的述职报告（离任审计为审计报告）原文：请求体为文件内容；照片（JPG、PNG）、PDF、Word（.docx）或 Excel（.xlsx），按内容识别，10 MB 以内；替换此前上传的；201 为已保存；空文件、过大或类型不符等 400")
        .params(&[ID, ORG, FILE_NAME])
        .body("File")
        .status(201)
        .returns("RecordFile"),
    get("/duty/{id}/files/{fid}", "tasks", "记录的述职报告或审计报告文件内容（该党组织及其上级可看，其他 404）")
        .params(&[ID, FID]),
    get("/requests", "masses", "群众诉求：org 及以下承办的诉求（未办结的在前，逾期的最早受理在上；按状态和受理月份筛选），受理、办结、办结率、平均办结天数、逾期未办结、诉求人满意占比；列表不含诉求人信息")
        .params(&[ORG, REQUEST_STATUS, REQUEST_MONTH])
        .returns("RequestList"),
    post("/requests", "masses", "org 受理一件群众诉求并交办本组织或下级党组织（assign_to）和责任人；诉求人姓名、电话选填，加密保存，不进审计日志。受理日期晚于今天、承办党组织不在 org 及以下、电话格式不对等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("RequestInput")
        .status(201)
        .returns("RequestCreated"),
    get("/requests/{id}", "masses", "一件群众诉求及其办理进展（org 为承办党组织或其上级；诉求人信息脱敏）")
        .params(&[ID, ORG])
        .returns("MassRequest"),
    post("/requests/{id}/progress", "masses", "登记办理进展（org 为承办党组织或其上级）；已办结、日期早于受理日期等 400")
        .params(&[ID, ORG])
        .body("RequestProgress")
        .status(201)
        .returns("RequestProgressCreated"),
    post("/requests/{id}/resolve", "masses", "办结：日期、办理结果和诉求人反馈（org 为承办党组织或其上级）；已办结、日期早于受理日期等 400；204 为已保存")
        .params(&[ID, ORG])
        .body("RequestResolve")
        .status(204)
        .returns("Object"),
    get("/surveys", "masses", "群众满意度测评：org 及以下党组织的测评（进行中的在前），发放张数、收回份数、参与率、满意率（很满意、满意、基本满意的人次占全部作答人次）")
        .params(&[ORG])
        .returns("SurveyList"),
    post("/surveys", "masses", "发起 org 的群众满意度测评（组织部门、党（工）委）：测评期间为年度或半年，题目取当日适用的问卷（组织部门设定的或规则集的本地示例，复制到本次测评）；期间未开始、同一期间正在测评等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("SurveyInput")
        .status(201)
        .returns("SurveyCreated"),
    get("/surveys/questionnaire", "masses", "day（默认今天）发起的群众满意度测评所用的问卷：规则集的本地示例或组织部门自某日起设定的，及其来源")
        .params(&[ORG, DAY])
        .returns("SurveyQuestionnaire"),
    put("/surveys/questionnaire", "masses", "组织部门（系统管理员）设定群众满意度测评问卷，自 from 日起发起的测评使用（已发起的测评保留原题目）：增删、改写、调整评价题顺序；无评价题、代码重复、超长、超过10题、起始日期早于今天等 400；记入审计")
        .params(&[ORG])
        .body("SurveyQuestionnaireInput")
        .returns("SurveyQuestionnaire"),
    get("/surveys/{id}", "masses", "一次群众满意度测评的结果（org 为被测评党组织或其上级）：各题分布和平均分、满意率、参与率、意见建议原文、测评码批次；无答卷为暂无数据（null）")
        .params(&[ID, ORG])
        .returns("SurveyResults"),
    post("/surveys/{id}/tokens", "masses", "发放一批测评码（1至500张）：测评码只在此返回一次，系统只保存摘要；已结束、张数不对等 400")
        .params(&[ID, ORG])
        .body("SurveyBatchInput")
        .status(201)
        .returns("SurveyBatch"),
    post("/surveys/{id}/close", "masses", "结束测评：此后不再接受作答，结果计入星级评定的群众满意度指标和软弱涣散研判；已结束 400；204 为已保存")
        .params(&[ID, ORG])
        .status(204)
        .returns("Object"),
    get("/funding", "masses", "经费保障：org 及以下 year 年度的经费按类型和来源汇总，运转经费低于所属领域标准的党组织及差额、未录入的党组织（暂无数据，不按0计）、村集体经济收入、各下级党组织的合计、本级记录；标准及其来源（组织部门设定或规则集示例）")
        .params(&[ORG, YEAR])
        .returns("FundingOverview"),
    post("/funding", "masses", "登记（更正）一条经费：org 或其下级党组织某年度某类型某来源的金额（元）；同一党组织、年度、类型和来源只保留一条。党小组、村集体经济收入登记在非村党组织、年度不对、金额为负等 400，error 为中文原因，field 为所属字段；记入审计")
        .params(&[ORG])
        .body("FundingInput")
        .status(201)
        .returns("FundingSaved"),
    get("/funding/standards", "masses", "year 年度适用的经费保障标准（各领域、层级的运转经费和村集体经济收入最低标准）及其来源")
        .params(&[ORG, YEAR])
        .returns("FundingStandards"),
    put("/funding/standards", "masses", "组织部门设定经费保障标准，自 from_year 年度起适用（此前年度不变）；金额为负、同一领域和层级重复、非村设村集体经济收入标准等 400；记入审计")
        .params(&[ORG])
        .body("FundingStandardsInput")
        .returns("FundingStandards"),
    get("/venues", "masses", "活动场所：org 及以下党组织的场所和该年各季度使用情况（按会议记录所选场所统计）；已结束且整季度在用而无会议的季度为铁将军把门，进行中的季度不判定；最近一次会议日期")
        .params(&[ORG, YEAR, VENUE_SHOWN])
        .returns("VenueList"),
    post("/venues", "masses", "登记 org 的活动场所（组织部门、党（工）委、支部书记本组织）：名称、地址、面积、设施、共享情况、启用日期、使用的党组织（org 及其下级）；400 为拒绝，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("VenueInput")
        .status(201)
        .returns("VenueCreated"),
    get("/venues/usable", "masses", "org 的会议可选择的活动场所（本组织或其上级使用的在用场所），记录会议时填 venue_id")
        .params(&[ORG])
        .returns("VenueChoices"),
    get("/venues/{id}", "masses", "一处活动场所（org 为其所属党组织或上级）：使用的党组织、该年各季度在此召开的会议")
        .params(&[ID, ORG, YEAR])
        .returns("VenueDetail"),
    post("/venues/{id}", "masses", "修改活动场所的信息和使用的党组织；审计；204 为已保存")
        .params(&[ID, ORG])
        .body("VenueInput")
        .status(204)
        .returns("Object"),
    post("/venues/{id}/retire", "masses", "停用活动场所：此后会议不能再选它，停用后的季度不判定；已停用等 400；204 为已保存")
        .params(&[ID, ORG])
        .body("VenueRetire")
        .status(204)
        .returns("Object"),
    get("/remuneration", "masses", "村（社区）党组织书记报酬：org 及以下登记的某年（默认上一年）报酬与标准（规则集本地示例或组织部门设定），低于标准的在前")
        .params(&[ORG, YEAR])
        .returns("PayList"),
    post("/remuneration", "masses", "登记村或社区党组织书记某年的报酬（组织部门、党（工）委；同年再登记则替换）；非村（社区）、金额不对等 400；审计；204 为已保存")
        .params(&[ORG])
        .body("PayInput")
        .status(204)
        .returns("Object"),
    get("/remuneration/standard", "masses", "year 年度（默认今年）适用的村（社区）党组织书记报酬标准及其来源（规则集本地示例或组织部门自某年度起设定的）")
        .params(&[YEAR])
        .returns("PayStandard"),
    put("/remuneration/standard", "masses", "组织部门（系统管理员）设定村（社区）党组织书记报酬标准，自 from_year 年度起适用（此前年度仍按原标准）；起始年度、金额不对等 400；审计")
        .body("PayStandardInput")
        .returns("PayStandard"),
    get("/disclosure", "masses", "党务公开：org 本组织的公开事项（含已撤回的，最新的在前）及其状态、本组织公开页地址（首次公开后生成）、可公开结果的已结束测评")
        .params(&[ORG])
        .returns("DisclosureBoard"),
    post("/disclosure", "masses", "org 公开一个事项：向党员公开（登录后可见）或向社会公开（本组织公开页 /p/{key}，无需登录）；自由事项（决策事项、通知公告：标题、内容、日期）或统计数据（党费收缴、发展党员、群众诉求办理、已结束测评的结果：公开时按台账计算并固定在事项中，注明计算日期）；审计。类别、年度不对、测评未结束等 400，error 为中文原因，field 为所属字段")
        .params(&[ORG])
        .body("DisclosureInput")
        .status(201)
        .returns("DisclosureCreated"),
    post("/disclosure/withdraw", "masses", "撤回 org 及以下的一个公开事项：立即不再显示（公开页、党员首页）；审计；已撤回 400；204 为已撤回")
        .params(&[ORG])
        .body("DisclosureWithdraw")
        .status(204)
        .returns("Object"),
    get("/pairing", "masses", "结对共建：org 及以下在结对的结对共建（on 日，默认今天）按结对形式计数，有结对和无结对的基层党组织，在结对的清单")
        .params(&[ORG])
        .returns("PairingOverview"),
    post("/pairing", "masses", "登记结对共建：受援的基层党组织（org 及以下）、结对的党组织或单位名称、结对形式、共建内容、起止日期；审计。不是基层党组织、开始日期晚于今天等 400")
        .params(&[ORG])
        .body("PairingInput")
        .status(201)
        .returns("PairingCreated"),
    post("/pairing/end", "masses", "结束结对共建（受援党组织在 org 及以下）；日期早于开始日期、已结束等 400；204 为已保存")
        .params(&[ORG])
        .body("PairingEnd")
        .status(204)
        .returns("Object"),
    get("/audit", "audit", "审计日志（系统管理员与审计员，本人范围内）")
        .params(&[PAGE, PAGE_SIZE])
        .returns("AuditPage"),
    get("/referrals", "imports", "导入转办事项（组织部门与党（工）委，处理层级在本人范围内）：下级导入时与范围以外记录冲突、未写入的行")
        .params(&[STATUS, PAGE, PAGE_SIZE])
        .returns("ReferralPage"),
    post("/referrals/{id}/settle", "imports", "办结一项待处理的转办事项（须填写处理意见，记入审计日志）")
        .params(&[ID])
        .body("OrgAction")
        .returns("Referral"),
    post("/referrals/{id}/dismiss", "imports", "驳回一项待处理的转办事项（须填写处理意见，记入审计日志）")
        .params(&[ID])
        .body("OrgAction")
        .returns("Referral"),
    get("/scorecard", "rating", "检验标准（五个是否）评分卡：org 子树的五项得分及各指标（分子、分母、依据；无记录的指标为暂无数据，不计0分）、直属下级热力图、木桶效应最短板（拉低最多的下级和基层党组织及补齐后的得分）；读存储的按期间计算结果（首次查看时计算），built_at 为截至时间")
        .params(&[ORG, SCORECARD_PERIOD])
        .returns("Scorecard"),
    post("/scorecard/build", "rating", "重新计算某一期间全部党组织的检验标准评分卡（组织部门）：返回计算时间和党组织数")
        .params(&[ORG, SCORECARD_PERIOD])
        .returns("ScorecardBuilt"),
    get("/ratings", "rating", "星级评定：本级及各直属下级的星级分布，与分页的党组织星级")
        .params(&[ORG, YEAR, STARS, PAGE, PAGE_SIZE])
        .returns("RatingsReport"),
    post("/ratings", "rating", "评定（重新评定）本级及下级党组织某年度的星级，并排查疑似软弱涣散问题（组织部门、党委、管理员；记入审计）")
        .body("RateRequest")
        .returns("RateSummary"),
    get("/orgs/{id}/rating", "rating", "一个党组织的年度评定：星级、各指标得分、权重与依据（暂无数据的指标不计分），及问题信号")
        .params(&[ORG_KEY, YEAR])
        .returns("OrgRating"),
    post("/orgs/{id}/rating/adjust", "rating", "人工调整星级（须填理由，记入审计；stars 为 null 时撤销调整；组织部门、管理员）")
        .params(&[ORG_KEY])
        .body("RatingAdjust")
        .status(204),
    get("/weak", "weak", "软弱涣散基层党组织排查：每个有问题的党组织、每个问题的状态（疑似、已确定、已排除）与信号依据")
        .params(&[ORG, YEAR])
        .returns("WeakReport"),
    get("/weak/summary", "weak", "软弱涣散问题按类型与按直属下级汇总")
        .params(&[ORG, YEAR])
        .returns("WeakSummary"),
    get("/orgs/{id}/weak", "weak", "一个党组织的全部问题信号（触发、正常、暂无数据、不适用）与已作出的确定或排除")
        .params(&[ORG_KEY, YEAR])
        .returns("Diagnosis"),
    post("/orgs/{id}/weak/confirm", "weak", "确定疑似问题（须填理由，记入审计；建立或补充整顿台账；组织部门、管理员）")
        .params(&[ORG_KEY])
        .body("WeakDecision")
        .returns("Decided"),
    post("/orgs/{id}/weak/dismiss", "weak", "排除疑似问题（须填理由，记入审计；组织部门、管理员）")
        .params(&[ORG_KEY])
        .body("WeakDecision")
        .returns("Decided"),
    get("/rectification", "rectification", "整顿工作进展：台账按阶段、每个台账的措施完成与逾期、停滞情况、逾期措施")
        .params(&[ORG, YEAR])
        .returns("RectificationReport"),
    get("/rectification/overdue", "rectification", "未验收台账中逾期未完成的整改措施（期限最早的在前）")
        .params(&[ORG])
        .returns("OverdueList"),
    get("/rectification/stalled", "rectification", "停滞的台账：若干天无任何进展的未验收台账")
        .params(&[ORG, DAYS])
        .returns("StalledList"),
    get("/orgs/{id}/rectification", "rectification", "一个党组织某年度的整顿台账：阶段、问题、措施、帮扶与时间线")
        .params(&[ORG_KEY, YEAR])
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/plan", "rectification", "制定整改措施（措施、责任人、期限；组织部门、党委、管理员）")
        .params(&[ORG_KEY])
        .body("RectificationPlan")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/assign", "rectification", "落实帮扶：包联领导与帮扶部门（不填部门则按问题类型对应）")
        .params(&[ORG_KEY])
        .body("RectificationAssign")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/progress", "rectification", "报告整改进展与佐证材料（另有支部书记）")
        .params(&[ORG_KEY])
        .body("RectificationProgress")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/complete", "rectification", "标记措施完成")
        .params(&[ORG_KEY])
        .body("RectificationComplete")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/extend", "rectification", "延期整改（须填理由；组织部门、管理员）")
        .params(&[ORG_KEY])
        .body("RectificationExtend")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/accept", "rectification", "验收销号（全部措施完成后；组织部门、管理员）：确定的软弱涣散情形按今天的记录仍存在的，须填 reason 说明理由，否则 400")
        .params(&[ORG_KEY])
        .body("RectificationAccept")
        .returns("RectificationCase"),
    post("/orgs/{id}/rectification/review", "rectification", "回头看（验收一年后；组织部门、管理员）")
        .params(&[ORG_KEY])
        .body("RectificationReview")
        .returns("RectificationCase"),
    get("/openapi.json", "meta", "本文档")
        .returns("Object")
        .public(),
];
